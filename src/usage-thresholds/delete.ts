import { onSubscriptionClock } from '../customers/clock.ts';
import { and, eq, isNull } from 'drizzle-orm';
import { usageThresholds } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { tenantOf, type TxCtx } from '../kernel/context.ts';
import { DomainError, notFound } from '../kernel/errors.ts';
import type { UsageThresholdResource } from './contract.ts';
import { toThresholdResource, toThresholdSnapshot } from './present.ts';

/**
 * Deletes a threshold of the subscription (404 when it is not one, or already deleted):
 * it fires no more. Early invoices it already caused stay. A tenant deletes only the
 * thresholds its customer set: one an operator set is a 403 (the tenant sees it listed,
 * so a 404 would be a lie). Emits `usage_threshold.deleted`; audited.
 */
export async function deleteUsageThreshold(outer: TxCtx, subscriptionId: string, thresholdId: string): Promise<UsageThresholdResource> {
  // A sandbox customer's threshold is deleted at its test clock's time.
  const ctx = await onSubscriptionClock(outer, subscriptionId);
  const live = and(eq(usageThresholds.id, thresholdId), eq(usageThresholds.subscriptionId, subscriptionId), isNull(usageThresholds.deletedAt));
  const [found] = await ctx.tx.select({ setBy: usageThresholds.setBy }).from(usageThresholds).where(live);
  if (!found) throw notFound('Usage threshold', thresholdId);
  if (tenantOf(ctx.actor) !== undefined && found.setBy !== 'customer') {
    throw new DomainError('forbidden', `usage threshold ${thresholdId} was set by an operator: only an operator may delete it`, { threshold_id: thresholdId, set_by: found.setBy });
  }
  const [row] = await ctx.tx.update(usageThresholds).set({ deletedAt: ctx.clock.now() }).where(live).returning();
  await emit(ctx, [{ type: 'usage_threshold.deleted', subject: subscriptionId, data: { threshold: toThresholdSnapshot(row!) } }]);
  await recordAudit(ctx, { action: 'usage_threshold.delete', targetType: 'subscription', targetId: subscriptionId, data: { threshold_id: thresholdId } });
  return toThresholdResource(row!);
}

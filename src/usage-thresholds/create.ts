import { onCustomerClock } from '../customers/clock.ts';
import { usageThresholds } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { tenantOf, type TxCtx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import type { CreateUsageThresholdInput, UsageThresholdResource } from './contract.ts';
import { toThresholdResource, toThresholdSnapshot } from './present.ts';

/**
 * Sets a usage threshold on a live subscription (409 when canceled). It is checked from
 * the next accepted usage record on: a period already past it fires at that record.
 * A tenant's threshold is the customer's (it may delete it); any other is the operator's.
 * Emits `usage_threshold.created`; audited.
 */
export async function createUsageThreshold(outer: TxCtx, subscriptionId: string, input: CreateUsageThresholdInput): Promise<UsageThresholdResource> {
  const sub = await loadSubscription(outer.tx, subscriptionId);
  // A sandbox customer's threshold is set at its test clock's time.
  const ctx = await onCustomerClock(outer, sub.customerId);
  if (sub.status === 'canceled') throw conflict(`subscription ${sub.id} is canceled`, { status: sub.status });
  const now = ctx.clock.now();
  const [row] = await ctx.tx
    .insert(usageThresholds)
    .values({ id: newId('uth', now), subscriptionId: sub.id, metric: input.metric, value: input.value, invoiceEarly: input.invoice_early, setBy: tenantOf(ctx.actor) === undefined ? 'operator' : 'customer', createdAt: now, deletedAt: null })
    .returning();
  await emit(ctx, [{ type: 'usage_threshold.created', subject: sub.id, data: { threshold: toThresholdSnapshot(row!) } }]);
  await recordAudit(ctx, { action: 'usage_threshold.create', targetType: 'subscription', targetId: sub.id, data: { threshold_id: row!.id, metric: input.metric, value: input.value, invoice_early: input.invoice_early } });
  return toThresholdResource(row!);
}

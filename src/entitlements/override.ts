import { onCustomerClock } from '../customers/clock.ts';
import { and, count, eq } from 'drizzle-orm';
import { subscriptionEntitlements, type Entitlement } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict, DomainError, notFound, validationError } from '../kernel/errors.ts';
import { entitlementMeterIssues } from '../plans/entitlement-meters.ts';
import { entitlementIssues, toEntitlement } from '../plans/entitlements.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import type { OverrideInput, OverrideResource } from './contract.ts';

/** Most overrides one subscription may carry. */
export const MAX_OVERRIDES = 100;

type OverrideRow = typeof subscriptionEntitlements.$inferSelect;

function toOverrideResource(row: OverrideRow): OverrideResource {
  return { object: 'entitlement_override', subscription_id: row.subscriptionId, ...toEntitlement(row), created_at: toIso(row.createdAt), updated_at: toIso(row.updatedAt) };
}

const whereOverride = (subscriptionId: string, feature: string) => and(eq(subscriptionEntitlements.subscriptionId, subscriptionId), eq(subscriptionEntitlements.feature, feature));

/**
 * Sets the entitlement of `feature` for one subscription, replacing the plan version's
 * (or adding one the plan lacks). Emits `subscription.entitlement_overridden`; audited.
 */
export function overrideEntitlement(ctx: Ctx, subscriptionId: string, feature: string, input: OverrideInput): Promise<OverrideResource> {
  return withTransaction(ctx, async (outer) => {
    const issues = [...entitlementIssues(input, feature), ...(await entitlementMeterIssues(outer.tx, [toEntitlement({ feature, ...input })], () => ''))];
    if (issues.length > 0) throw validationError(issues);
    const sub = await loadSubscription(outer.tx, subscriptionId);
    // A sandbox customer's override is made at its test clock's time.
    const ctx = await onCustomerClock(outer, sub.customerId);
    if (sub.status === 'canceled') throw new DomainError('invalid_transition', `subscription ${subscriptionId} is canceled; its entitlements cannot change`, { current_status: sub.status });

    const [previous] = await ctx.tx.select().from(subscriptionEntitlements).where(whereOverride(subscriptionId, feature));
    if (!previous) {
      const [held] = await ctx.tx.select({ n: count() }).from(subscriptionEntitlements).where(eq(subscriptionEntitlements.subscriptionId, subscriptionId));
      if ((held?.n ?? 0) >= MAX_OVERRIDES) throw conflict(`subscription ${subscriptionId} already has ${MAX_OVERRIDES} overrides`, { limit: MAX_OVERRIDES });
    }
    const now = ctx.clock.now();
    const entitlement: Entitlement = toEntitlement({ feature, ...input });
    const next = { type: entitlement.type, limit: entitlement.limit ?? null, value: entitlement.value ?? null, meter: entitlement.meter ?? null, dimensions: entitlement.dimensions ?? null, updatedAt: now };
    const [row] = await ctx.tx
      .insert(subscriptionEntitlements)
      .values({ subscriptionId, feature, ...next, createdAt: now })
      .onConflictDoUpdate({ target: [subscriptionEntitlements.subscriptionId, subscriptionEntitlements.feature], set: next })
      .returning();

    const was = previous ? toEntitlement(previous) : null;
    await emit(ctx, [{ type: 'subscription.entitlement_overridden', subject: subscriptionId, data: { subscription_id: subscriptionId, customer_id: sub.customerId, entitlement, previous: was } }]);
    await recordAudit(ctx, { action: 'subscription.entitlement_override', targetType: 'subscription', targetId: subscriptionId, data: { entitlement, previous: was } });
    return toOverrideResource(row!);
  });
}

/**
 * Removes the override of `feature` from a subscription: the plan version's entitlement
 * (if any) applies again. 404 when there is none. Emits
 * `subscription.entitlement_override_removed`; audited.
 */
export function removeEntitlementOverride(ctx: Ctx, subscriptionId: string, feature: string): Promise<OverrideResource> {
  return withTransaction(ctx, async (outer) => {
    const sub = await loadSubscription(outer.tx, subscriptionId);
    const ctx = await onCustomerClock(outer, sub.customerId);
    const [row] = await ctx.tx.delete(subscriptionEntitlements).where(whereOverride(subscriptionId, feature)).returning();
    if (!row) throw notFound('Entitlement override', `${subscriptionId}/${feature}`);
    const removed = toEntitlement(row);
    await emit(ctx, [{ type: 'subscription.entitlement_override_removed', subject: subscriptionId, data: { subscription_id: subscriptionId, customer_id: sub.customerId, removed } }]);
    await recordAudit(ctx, { action: 'subscription.entitlement_override_remove', targetType: 'subscription', targetId: subscriptionId, data: { removed } });
    return toOverrideResource(row);
  });
}

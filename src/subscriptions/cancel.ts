import { and, asc, eq, ne } from 'drizzle-orm';
import { subscriptions } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { nextStatus } from './lifecycle.ts';
import { loadSubscription, saveSubscription } from './load.ts';
import { toSubscriptionResource, toSubscriptionSnapshot } from './present.ts';
import type { CancelSubscriptionInput } from './contract.ts';

/** Why a subscription is canceled: on request, or because its customer was erased. */
export type CancelReason = 'requested' | 'customer_erased';

/**
 * Cancels a subscription now (→ `canceled`), or with `at_period_end` flags it so
 * the renewal at the period's end cancels it instead. Either is a 409 when the
 * state machine does not allow `cancel` (already canceled), and a second
 * `at_period_end` is a 409 too. Emits `subscription.canceled`, and
 * `subscription.ended` when it takes effect now, both with `reason`. A sandbox
 * customer's subscription is canceled at its test clock's time.
 */
export function cancelSubscription(ctx: Ctx, id: string, input: CancelSubscriptionInput, reason: CancelReason = 'requested') {
  return withTransaction(ctx, async (outer) => {
    const current = await loadSubscription(outer.tx, id);
    const ctx = await onCustomerClock(outer, current.customerId);
    const status = nextStatus(current.status, 'cancel');
    if (!status) {
      throw new DomainError('invalid_transition', `cannot cancel a subscription that is ${current.status}`, { current_status: current.status, transition: 'cancel' });
    }
    if (input.at_period_end && current.cancelAtPeriodEnd) {
      throw new DomainError('invalid_transition', `subscription ${id} is already set to cancel at its period end`, { current_status: current.status, transition: 'cancel', cancel_at_period_end: true });
    }
    const now = ctx.clock.now();
    const row = input.at_period_end
      ? await saveSubscription(ctx, current, { cancelAtPeriodEnd: true })
      : await saveSubscription(ctx, current, { status, canceledAt: now });
    const effectiveAt = input.at_period_end ? row.currentPeriodEnd : now;

    const snapshot = toSubscriptionSnapshot(row);
    await emit(ctx, [
      { type: 'subscription.canceled', subject: id, data: { subscription: snapshot, previous_status: current.status, at_period_end: input.at_period_end, effective_at: toIso(effectiveAt), reason } },
      ...(input.at_period_end ? [] : [{ type: 'subscription.ended' as const, subject: id, data: { subscription: snapshot, reason } }]),
    ]);
    await recordAudit(ctx, { action: 'subscription.cancel', targetType: 'subscription', targetId: id, data: { at_period_end: input.at_period_end, previous_status: current.status, reason } });
    return toSubscriptionResource(row);
  });
}

/** Cancels every live subscription of a customer now, oldest first, with the cancel verb above. */
export async function cancelCustomerSubscriptions(ctx: TxCtx, customerId: string, reason: CancelReason): Promise<void> {
  const live = await ctx.tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customerId), ne(subscriptions.status, 'canceled')))
    .orderBy(asc(subscriptions.id));
  for (const sub of live) await cancelSubscription(ctx, sub.id, { at_period_end: false }, reason);
}

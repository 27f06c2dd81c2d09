import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import { nextStatus } from '../subscriptions/lifecycle.ts';
import { saveSubscription } from '../subscriptions/load.ts';
import { toSubscriptionSnapshot, type SubscriptionRow } from '../subscriptions/present.ts';

/**
 * Ends an `incomplete` subscription whose first invoice will never be paid (dunning gave up on
 * it, or it was voided), as Stripe's `incomplete_expired`: it becomes `canceled` now and emits
 * `subscription.canceled` and `subscription.ended` with reason `incomplete_expired`. An
 * incomplete subscription never becomes `past_due`: it was never active. Returns false, and
 * changes nothing, when the subscription is not incomplete.
 */
export async function expireIncomplete(ctx: TxCtx, sub: SubscriptionRow): Promise<boolean> {
  const status = nextStatus(sub.status, 'incomplete_expired');
  if (!status) return false;
  const now = ctx.clock.now();
  const row = await saveSubscription(ctx, sub, { status, canceledAt: now });
  const snapshot = toSubscriptionSnapshot(row);
  await emit(ctx, [
    { type: 'subscription.canceled', subject: sub.id, data: { subscription: snapshot, previous_status: sub.status, at_period_end: false, effective_at: toIso(now), reason: 'incomplete_expired' } },
    { type: 'subscription.ended', subject: sub.id, data: { subscription: snapshot, reason: 'incomplete_expired' } },
  ]);
  return true;
}

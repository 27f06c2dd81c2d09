import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { isBilled } from '../subscriptions/lifecycle.ts';
import { periodContaining } from '../subscriptions/periods.ts';
import { loadSubscription, saveSubscription } from '../subscriptions/load.ts';
import { toSubscriptionSnapshot, type SubscriptionRow } from '../subscriptions/present.ts';
import { billingRecovered } from './billing-failure.ts';
import { draftInvoice } from './draft.ts';
import { finalizeIfDue } from './finalize.ts';

/** What a subscription needs from the billing worker at `now`, if anything. */
export function billingDue(sub: SubscriptionRow, now: number): 'trial_end' | 'period_end' | null {
  if (sub.status === 'trialing' && sub.trialEnd !== null && sub.trialEnd <= now && sub.currentPeriodStart < sub.trialEnd) return 'trial_end';
  if (isBilled(sub.status) && sub.currentPeriodEnd <= now) return 'period_end';
  return null;
}

/**
 * Moves one subscription over its next boundary, in one transaction; the worker
 * calls it again while the subscription is still behind the clock, so a worker
 * that was down for three months bills three periods, one invoice each.
 *
 *   trial end     with cancel_at_period_end: canceled at the trial's end, nothing billed.
 *                 Otherwise the first paid period [trial_end, trial_end + interval) starts
 *                 and its fee is drafted (`subscription_create`); usage during the trial is
 *                 free. The subscription stays `trialing` until that invoice is paid.
 *   period end    with cancel_at_period_end: canceled at the period's end; a closing invoice
 *                 (`subscription_cancel`) bills the ended period's overage and pending
 *                 prorations, if any. Otherwise the next period starts and one invoice
 *                 (`subscription_cycle`) bills its fee in advance, the ended period's
 *                 overage in arrears and pending prorations. A `past_due` subscription
 *                 renews too; dunning of its older invoice goes on.
 * Each invoice is finalized in the same transaction when there is no review window
 * (`INVOICE_DRAFT_MINUTES=0`). Returns false when there was nothing to do (another
 * worker got there first).
 */
export async function advanceSubscription(ctx: TxCtx, id: string): Promise<boolean> {
  const sub = await loadSubscription(ctx.tx, id);
  const now = ctx.clock.now();
  const due = billingDue(sub, now);
  if (!due) return false;
  const terms = await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion);

  if (sub.cancelAtPeriodEnd) {
    const endsAt = due === 'trial_end' ? sub.trialEnd! : sub.currentPeriodEnd;
    const row = await saveSubscription(ctx, sub, { status: 'canceled', canceledAt: endsAt, ...billingRecovered });
    const closing =
      due === 'period_end' ? await draftInvoice(ctx, row, { reason: 'subscription_cancel', feePeriod: null, usagePeriod: { start: sub.currentPeriodStart, end: sub.currentPeriodEnd } }) : null;
    await emit(ctx, [{ type: 'subscription.ended', subject: id, data: { subscription: toSubscriptionSnapshot(row), reason: 'period_end' } }]);
    await finalizeIfDue(ctx, closing);
    return true;
  }

  // Boundaries always come from the anchor (the trial's end, or the start without one).
  const period = periodContaining(sub.anchor, terms.interval, due === 'trial_end' ? sub.anchor : sub.currentPeriodEnd);
  const row = await saveSubscription(ctx, sub, { currentPeriodStart: period.start, currentPeriodEnd: period.end, ...billingRecovered });
  if (due === 'trial_end') {
    const invoice = await draftInvoice(ctx, row, { reason: 'subscription_create', feePeriod: period, usagePeriod: null });
    await emit(ctx, [{ type: 'subscription.trial_ended', subject: id, data: { subscription: toSubscriptionSnapshot(row), invoice_id: invoice?.id ?? null } }]);
    await finalizeIfDue(ctx, invoice);
    return true;
  }
  const invoice = await draftInvoice(ctx, row, { reason: 'subscription_cycle', feePeriod: period, usagePeriod: { start: sub.currentPeriodStart, end: sub.currentPeriodEnd } });
  await emit(ctx, [{ type: 'subscription.renewed', subject: id, data: { subscription: toSubscriptionSnapshot(row), period_start: new Date(period.start).toISOString(), period_end: new Date(period.end).toISOString(), invoice_id: invoice?.id ?? null } }]);
  await finalizeIfDue(ctx, invoice);
  return true;
}

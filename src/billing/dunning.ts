import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import type { PaymentRow } from '../payments/present.ts';
import { markPaymentFailed } from '../payments/record.ts';
import { nextStatus } from '../subscriptions/lifecycle.ts';
import { loadSubscription, saveSubscription } from '../subscriptions/load.ts';
import { DAY_MS } from '../subscriptions/periods.ts';
import { toSubscriptionSnapshot, type SubscriptionRow } from '../subscriptions/present.ts';
import { expireIncomplete } from './expire-incomplete.ts';
import { loadInvoice, requireInvoiceTransition, saveInvoice } from './lifecycle.ts';
import { toInvoiceSnapshot, type InvoiceRow } from './present.ts';

/**
 * Dunning, billing's policy for automatic attempts that fail: after the k-th failed
 * attempt the next one is due `DUNNING_RETRY_DAYS[k−1]` days after the first failure
 * (1, 3, 5 by default); the first failure makes an active or trialing subscription
 * `past_due`; when the last retry fails the invoice becomes `uncollectible` and the
 * subscription is canceled (`dunning_exhausted`). An `incomplete` subscription (no trial, its
 * first invoice never paid) is not made `past_due` by a failure: it stays incomplete through the
 * retries and, when the last fails, expires (canceled, `incomplete_expired`). A manual attempt
 * (`POST /v1/invoices/:id/pay`) that fails changes neither.
 */

/** When the attempt after the `attempt`-th failed one is due, or null when that one was the last. */
export function nextAttemptAt(firstFailedAt: number, attempt: number, retryDays: readonly number[]): number | null {
  return attempt <= retryDays.length ? firstFailedAt + retryDays[attempt - 1]! * DAY_MS : null;
}

/**
 * Records a failed attempt (`payment.failed`, naming the next attempt) and, for an
 * automatic attempt on an open invoice, runs dunning, in the caller's transaction.
 */
export async function failPayment(ctx: TxCtx, payment: PaymentRow, failure: { code: string; message: string }, retryDays: readonly number[]): Promise<void> {
  const invoice = await loadInvoice(ctx.tx, payment.invoiceId);
  if (payment.trigger !== 'automatic' || invoice.status !== 'open') {
    await markPaymentFailed(ctx, payment.id, failure, { attemptAt: invoice.nextAttemptAt, final: false });
    return;
  }
  const now = ctx.clock.now();
  const firstFailedAt = invoice.firstFailedAt ?? now;
  const next = nextAttemptAt(firstFailedAt, payment.attempt, retryDays);
  const scheduled = await saveInvoice(ctx, invoice, { attemptCount: payment.attempt, firstFailedAt, nextAttemptAt: next });
  await markPaymentFailed(ctx, payment.id, failure, { attemptAt: next, final: next === null });

  const sub = scheduled.subscriptionId ? await loadSubscription(ctx.tx, scheduled.subscriptionId) : null;
  if (next !== null) {
    if (sub) await markPastDue(ctx, sub, invoice.id);
    return;
  }
  await giveUp(ctx, scheduled, sub);
}

/** The first failure of an active or trialing subscription's invoice makes it `past_due`. */
async function markPastDue(ctx: TxCtx, sub: SubscriptionRow, invoiceId: string): Promise<void> {
  const pastDue = nextStatus(sub.status, 'payment_failed');
  if (!pastDue) return;
  const row = await saveSubscription(ctx, sub, { status: pastDue });
  await emit(ctx, [{ type: 'subscription.past_due', subject: sub.id, data: { subscription: toSubscriptionSnapshot(row), invoice_id: invoiceId } }]);
}

/** The last retry failed: the invoice is `uncollectible` and its subscription canceled (an incomplete one expired). */
async function giveUp(ctx: TxCtx, invoice: InvoiceRow, sub: SubscriptionRow | null): Promise<void> {
  const now = ctx.clock.now();
  const uncollectible = await saveInvoice(ctx, invoice, { status: requireInvoiceTransition(invoice, 'mark_uncollectible'), uncollectibleAt: now });
  await emit(ctx, [{ type: 'invoice.marked_uncollectible', subject: invoice.id, data: { invoice: toInvoiceSnapshot(uncollectible) } }]);
  if (!sub || (await expireIncomplete(ctx, sub))) return;
  const canceled = nextStatus(sub.status, 'dunning_exhausted') ?? nextStatus(sub.status, 'cancel');
  if (!canceled) return;
  const row = await saveSubscription(ctx, sub, { status: canceled, canceledAt: now });
  const snapshot = toSubscriptionSnapshot(row);
  await emit(ctx, [
    { type: 'subscription.canceled', subject: sub.id, data: { subscription: snapshot, previous_status: sub.status, at_period_end: false, effective_at: toIso(now), reason: 'dunning_exhausted' } },
    { type: 'subscription.ended', subject: sub.id, data: { subscription: snapshot, reason: 'dunning_exhausted' } },
  ]);
}

import { and, eq, isNotNull, ne } from 'drizzle-orm';
import { customers, invoices } from '../../db/schema/index.ts';
import { activateCustomer } from '../customers/transition.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { nextStatus, transitionOnPayment } from '../subscriptions/lifecycle.ts';
import { loadSubscription, saveSubscription } from '../subscriptions/load.ts';
import { toSubscriptionSnapshot } from '../subscriptions/present.ts';
import { requireInvoiceTransition, saveInvoice } from './lifecycle.ts';
import { toInvoiceSnapshot, type InvoiceRow } from './present.ts';
import { creditPaidTopUp } from '../wallets/top-up.ts';

/**
 * Marks an open invoice paid and applies what a payment means, in one transaction:
 *   invoice → paid (`invoice.paid`);
 *   its subscription → active when the payment makes it so (`subscription.activated`):
 *     incomplete (first payment), trialing (trial converted), past_due (recovered,
 *     unless another invoice of it is still failing);
 *   its customer → active on the first payment, when still onboarded (`customer.activated`);
 *   a wallet top-up invoice → the wallet's `top_up` entry (`wallet.credited`, src/wallets/top-up.ts).
 * Throws `invalid_transition` when the invoice is no longer open (voided meanwhile):
 * the payment saga then refunds.
 */
export async function markInvoicePaid(ctx: TxCtx, invoice: InvoiceRow, paymentId: string | null): Promise<InvoiceRow> {
  const status = requireInvoiceTransition(invoice, 'pay');
  const now = ctx.clock.now();
  const paid = await saveInvoice(ctx, invoice, { status, amountPaid: invoice.amountDue, paidAt: now, nextAttemptAt: null });
  await emit(ctx, [{ type: 'invoice.paid', subject: paid.id, data: { invoice: toInvoiceSnapshot(paid), payment_id: paymentId } }]);
  await creditPaidTopUp(ctx, paid);

  if (paid.subscriptionId) {
    const sub = await loadSubscription(ctx.tx, paid.subscriptionId);
    const transition = transitionOnPayment(sub.status);
    const next = transition ? nextStatus(sub.status, transition) : null;
    const stillFailing =
      sub.status === 'past_due' &&
      (await ctx.tx
        .select({ id: invoices.id })
        .from(invoices)
        .where(and(eq(invoices.subscriptionId, sub.id), eq(invoices.status, 'open'), isNotNull(invoices.firstFailedAt), ne(invoices.id, paid.id)))
        .limit(1)).length > 0;
    if (next && next !== sub.status && !stillFailing) {
      const row = await saveSubscription(ctx, sub, { status: next });
      await emit(ctx, [{ type: 'subscription.activated', subject: sub.id, data: { subscription: toSubscriptionSnapshot(row), previous_status: sub.status, invoice_id: paid.id } }]);
    }
  }
  const [customer] = await ctx.tx.select({ status: customers.status }).from(customers).where(eq(customers.id, paid.customerId));
  if (customer?.status === 'onboarded') await activateCustomer(ctx, paid.customerId);
  return paid;
}

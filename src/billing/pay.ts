import { onCustomerClock } from '../customers/clock.ts';
import type { Ctx } from '../kernel/context.ts';
import { runResumable, type ResumableWrite } from '../kernel/resumable.ts';
import { getPayment } from '../payments/queries.ts';
import { loadInvoice } from './lifecycle.ts';
import { collectStarted, startedPayment, startPayment, type StartedPayment } from './collect.ts';
import type { CollectionSettings } from './collection-settings.ts';
import type { PayInvoiceInput } from './contract.ts';

type PaymentOf = Awaited<ReturnType<typeof getPayment>>;

/**
 * An operator pays an open invoice now: a manual attempt with `payment_method` or
 * the customer's one on file, run to its end (src/billing/collect.ts), answered
 * with the payment and its steps. A manual attempt that fails does not advance dunning.
 * Resumable (src/kernel/resumable.ts): the payment is started in the first
 * transaction (its id is the recovery point), the saga commits before and after the
 * provider call, and the answer is read when it has settled.
 */
export function payInvoiceWrite(invoiceId: string, input: PayInvoiceInput, settings: CollectionSettings): ResumableWrite<StartedPayment & { customer_id: string }, void, PaymentOf> {
  return {
    async begin(outer) {
      // A sandbox customer pays (and its saga's steps are dated) at its test clock's time.
      const ctx = await onCustomerClock(outer, (await loadInvoice(outer.tx, invoiceId)).customerId);
      const payment = await startPayment(ctx, invoiceId, { trigger: 'manual', paymentMethod: input.payment_method }, settings);
      return { ...startedPayment(payment), customer_id: payment.customerId };
    },
    async proceed(outer, point, resumed) {
      await collectStarted(await onCustomerClock(outer, point.customer_id), point, resumed, settings);
    },
    finish: (ctx, point) => getPayment(ctx.tx, point.payment_id),
  };
}

/** Pays an invoice now, outside any Idempotency-Key (the dashboard's form). */
export const payInvoice = (ctx: Ctx, invoiceId: string, input: PayInvoiceInput, settings: CollectionSettings) => runResumable(ctx, payInvoiceWrite(invoiceId, input, settings));

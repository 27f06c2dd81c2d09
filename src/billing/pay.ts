import { onCustomerClock } from '../customers/clock.ts';
import { getPayment } from '../payments/queries.ts';
import { loadInvoice } from './lifecycle.ts';
import { runPayment, startPayment, type SagaDeps } from './collect.ts';
import type { CollectionSettings } from './collection-settings.ts';
import type { PayInvoiceInput } from './contract.ts';

/**
 * An operator pays an open invoice now: a manual attempt with `payment_method` or
 * the customer's one on file, run to its end (src/billing/collect.ts), answered
 * with the payment and its steps. It commits several times (before and after the
 * provider call), so it takes a context outside any transaction. A manual attempt
 * that fails does not advance dunning.
 */
export async function payInvoice(deps: SagaDeps, invoiceId: string, input: PayInvoiceInput, settings: CollectionSettings) {
  // A sandbox customer pays (and its saga's steps are dated) at its test clock's time.
  const ctx = await onCustomerClock(deps, (await loadInvoice(deps.db, invoiceId)).customerId);
  const started = await startPayment(ctx, invoiceId, { trigger: 'manual', paymentMethod: input.payment_method }, settings);
  await runPayment(ctx, started.id, settings);
  return getPayment(ctx.db, started.id);
}

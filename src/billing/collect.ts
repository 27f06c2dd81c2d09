import { eq, type SQL } from 'drizzle-orm';
import { customers, type paymentTriggers } from '../../db/schema/index.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict, DomainError, describeError } from '../kernel/errors.ts';
import { ConcurrentUpdateError } from '../kernel/versioned.ts';
import type { PaymentRow } from '../payments/present.ts';
import { ProviderTimeoutError } from '../payments/provider.ts';
import { claimPayment, initiatePayment, livePaymentOf, loadPayment, markPaymentCharged, markPaymentRefunded, markPaymentSucceeded, recordStep, stalledPayments } from '../payments/record.ts';
import type { CollectionSettings } from './collection-settings.ts';
import { failPayment } from './dunning.ts';
import { loadInvoice } from './lifecycle.ts';
import { markInvoicePaid } from './paid.ts';

/**
 * Collection: paying an open invoice through the payment provider, as a saga whose
 * state is the payment record (src/payments/record.ts) plus its logged steps, so any
 * worker can resume it after a crash, and every step is safe to run twice:
 *
 *   initiate (tx)  payment `pending`, step `initiated`, `payment.initiated`
 *   charge         provider.charge with the payment id as idempotency key
 *     succeeded →  (tx) `charged`, step `charge`, `payment.succeeded`
 *     declined  →  (tx) `failed`, step `charge`, dunning (src/billing/dunning.ts), `payment.failed`
 *     timeout   →  provider.refund of whatever the lost answer may have charged,
 *                  then as declined with code `timeout`
 *   fulfil (tx)    invoice paid, subscription active, customer active (src/billing/paid.ts),
 *                  steps `invoice_paid` and `completed`, payment `succeeded`
 *     fails with a domain error (the invoice was voided meanwhile, …) →
 *   compensate     provider.refund, then (tx) `refunded`, step `refund`, `payment.refunded`
 *
 * A crash between steps leaves the payment `pending` or `charged`; the billing
 * worker resumes it when its lease expires, charging again under the same key
 * (the provider returns the first outcome) or fulfilling again (the invoice is
 * already paid or not). Money is therefore never left taken without the invoice
 * paid or the charge refunded. The provider is never called inside a transaction.
 */
export type SagaDeps = Omit<Ctx, 'tx'>;

/**
 * Starts a payment of an open invoice: the saga's first step. 409 when the invoice
 * is not open, owes nothing, or already has a payment in flight.
 */
export function startPayment(ctx: Ctx, invoiceId: string, request: { trigger: (typeof paymentTriggers)[number]; paymentMethod?: string | undefined }, settings: CollectionSettings) {
  return withTransaction(ctx, async (ctx) => {
    const invoice = await loadInvoice(ctx.tx, invoiceId);
    if (invoice.status !== 'open') {
      throw new DomainError('invalid_transition', `cannot pay an invoice that is ${invoice.status}`, { current_status: invoice.status, transition: 'pay' });
    }
    const live = await livePaymentOf(ctx.tx, invoiceId);
    if (live) throw conflict(`invoice ${invoiceId} already has payment ${live} in progress`, { payment_id: live });
    const [customer] = await ctx.tx.select({ paymentMethod: customers.paymentMethod }).from(customers).where(eq(customers.id, invoice.customerId));
    const paymentMethod = request.paymentMethod ?? customer?.paymentMethod ?? null;
    const attempt = request.trigger === 'automatic' ? invoice.attemptCount + 1 : invoice.attemptCount;
    const payment = { invoiceId, customerId: invoice.customerId, amount: invoice.amountDue, currency: invoice.currency, paymentMethod, trigger: request.trigger, attempt, provider: settings.provider.name, lockedUntil: ctx.clock.now() + settings.leaseMs };
    return initiatePayment(ctx, payment, { trigger: request.trigger, attempt, invoice_number: invoice.number, payment_method_on_file: paymentMethod !== null });
  });
}

/** The part of a request's recovery point that names the payment it started, and the lease it started it with. */
export type StartedPayment = { payment_id: string; payment_lease: number };

/** What a request that starts a payment records as its recovery point (src/kernel/resumable.ts). */
export const startedPayment = (payment: PaymentRow): StartedPayment => ({ payment_id: payment.id, payment_lease: payment.lockedUntil });

/**
 * Runs to its end a payment a request started (paying, topping up, subscribing).
 * `resumed`: a retry of the request's Idempotency-Key took over from a request that
 * died mid-saga; it takes the payment over too, when the payment still holds the
 * lease the dead request started it with (nobody else took it) or its lease ran out,
 * and otherwise answers 409 `idempotency_in_progress` with Retry-After until the
 * billing worker that holds it lets go. A settled payment is just read.
 */
export async function collectStarted(deps: SagaDeps, started: StartedPayment, resumed: boolean, settings: CollectionSettings): Promise<PaymentRow> {
  if (resumed) {
    const payment = await loadPayment(deps.db, started.payment_id);
    if (payment.status === 'pending' || payment.status === 'charged') {
      const now = deps.clock.now();
      const free = payment.lockedUntil === started.payment_lease || payment.lockedUntil <= now;
      if (!free || !(await claimPayment(deps, payment, now + settings.leaseMs))) {
        throw new DomainError('idempotency_in_progress', `payment ${payment.id} of this request is being run by another worker; retry later`, {
          payment_id: payment.id,
          retry_after: Math.max(1, Math.ceil((payment.lockedUntil - now) / 1000)),
        });
      }
    }
  }
  return runPayment(deps, started.payment_id, settings);
}

/** Runs a payment's remaining steps until it is succeeded, failed or refunded. */
export async function runPayment(deps: SagaDeps, paymentId: string, settings: CollectionSettings): Promise<PaymentRow> {
  // Counted by the run that settles it: a payment already settled when loaded is not counted again.
  let settling = false;
  for (;;) {
    const payment = await loadPayment(deps.db, paymentId);
    if (payment.status === 'pending') await charge(deps, payment, settings);
    else if (payment.status === 'charged') await fulfil(deps, payment, settings);
    else {
      if (settling) deps.metrics.payment(payment.status);
      return payment;
    }
    settling = true;
  }
}

async function charge(deps: SagaDeps, payment: PaymentRow, settings: CollectionSettings): Promise<void> {
  if (!payment.paymentMethod) {
    await withTransaction(deps, async (ctx) => {
      await recordStep(ctx, payment.id, 'charge', 'skipped', { reason: 'no payment method on file' });
      await failPayment(ctx, payment, { code: 'no_payment_method', message: 'There is no payment method on file.' }, settings.dunningRetryDays);
    });
    return;
  }
  const request = { idempotencyKey: payment.id, amount: payment.amount, currency: payment.currency, paymentMethod: payment.paymentMethod, description: `Invoice ${payment.invoiceId}` };
  let result;
  try {
    result = await settings.provider.charge(request);
  } catch (error) {
    if (!(error instanceof ProviderTimeoutError)) throw error;
    // The answer is lost, not the question: reverse whatever it may have charged before calling it failed.
    const reversal = await settings.provider.refund({ idempotencyKey: `${payment.id}:reverse`, chargeKey: payment.id, amount: payment.amount, currency: payment.currency, reason: 'charge timed out' });
    await withTransaction(deps, async (ctx) => {
      await recordStep(ctx, payment.id, 'charge', 'failed', { error: 'timeout' });
      await recordStep(ctx, payment.id, 'reverse', reversal.status === 'refunded' ? 'succeeded' : 'skipped', reversal.status === 'refunded' ? { refund_reference: reversal.reference } : { reason: 'nothing was charged' });
      await failPayment(ctx, payment, { code: 'timeout', message: 'The payment provider did not answer in time.' }, settings.dunningRetryDays);
    });
    return;
  }
  await withTransaction(deps, async (ctx) => {
    if (result.status === 'declined') {
      await recordStep(ctx, payment.id, 'charge', 'failed', { code: result.code, message: result.message });
      await failPayment(ctx, payment, { code: result.code, message: result.message }, settings.dunningRetryDays);
      return;
    }
    await recordStep(ctx, payment.id, 'charge', 'succeeded', { provider_reference: result.reference });
    await markPaymentCharged(ctx, payment, result.reference);
  });
}

async function fulfil(deps: SagaDeps, payment: PaymentRow, settings: CollectionSettings): Promise<void> {
  try {
    await withTransaction(deps, async (ctx) => {
      const invoice = await loadInvoice(ctx.tx, payment.invoiceId);
      if (invoice.amountDue !== payment.amount) throw conflict(`invoice ${invoice.id} now asks ${invoice.amountDue}, the payment charged ${payment.amount}`);
      await markInvoicePaid(ctx, invoice, payment.id);
      await recordStep(ctx, payment.id, 'invoice_paid', 'succeeded', { invoice_id: invoice.id });
      await markPaymentSucceeded(ctx, payment);
      await recordStep(ctx, payment.id, 'completed', 'succeeded');
    });
  } catch (error) {
    // Only a refusal is compensated; the database failing is retried by resuming later.
    if (!(error instanceof DomainError) || error instanceof ConcurrentUpdateError) throw error;
    await compensate(deps, payment, describeError(error), settings);
  }
}

async function compensate(deps: SagaDeps, payment: PaymentRow, reason: string, settings: CollectionSettings): Promise<void> {
  const refund = await settings.provider.refund({ idempotencyKey: `${payment.id}:refund`, chargeKey: payment.id, amount: payment.amount, currency: payment.currency, reason });
  await withTransaction(deps, async (ctx) => {
    await recordStep(ctx, payment.id, 'fulfil', 'failed', { error: reason });
    await recordStep(ctx, payment.id, 'refund', refund.status === 'refunded' ? 'succeeded' : 'skipped', refund.status === 'refunded' ? { refund_reference: refund.reference } : { reason: 'the provider holds no charge to refund' });
    await markPaymentRefunded(ctx, payment.id, { reference: refund.status === 'refunded' ? refund.reference : null, reason });
  });
}

/**
 * Takes over payments whose worker stopped mid-saga (lease expired) and finishes
 * them (`only`: those the billing pass's scope holds). Returns how many it resumed.
 */
export async function resumeStalledPayments(deps: SagaDeps, settings: CollectionSettings, only?: SQL, limit = 50): Promise<number> {
  const now = deps.clock.now();
  let resumed = 0;
  for (const stalled of await stalledPayments(deps.db, now, limit, only)) {
    if (!(await claimPayment(deps, stalled, now + settings.leaseMs))) continue;
    try {
      await runPayment(deps, stalled.id, settings);
      resumed++;
    } catch (error) {
      deps.logger.error('resuming a payment failed; it will be retried', { payment_id: stalled.id, error: describeError(error) });
    }
  }
  return resumed;
}

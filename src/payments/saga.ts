import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers, payments, paymentSteps } from '../../db/schema/index.ts';
import { loadInvoice, requireInvoiceTransition, saveInvoice } from '../billing/lifecycle.ts';
import { markInvoicePaid } from '../billing/paid.ts';
import { toInvoiceSnapshot } from '../billing/present.ts';
import { emit } from '../events/outbox.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { conflict, DomainError, describeError, notFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { ConcurrentUpdateError, saveVersioned } from '../kernel/versioned.ts';
import { nextStatus } from '../subscriptions/lifecycle.ts';
import { loadSubscription, saveSubscription } from '../subscriptions/load.ts';
import { DAY_MS } from '../subscriptions/periods.ts';
import { toSubscriptionSnapshot } from '../subscriptions/present.ts';
import { toPaymentSnapshot, type PaymentRow } from './present.ts';
import { ProviderTimeoutError, type PaymentProvider } from './provider.ts';

/**
 * The payment saga. Its state is the payment row plus its logged steps, so any
 * worker can resume it after a crash, and every step is safe to run twice:
 *
 *   initiate (tx)  payment `pending`, step `initiated`, `payment.initiated`
 *   charge         provider.charge with the payment id as idempotency key
 *     succeeded →  (tx) `charged`, step `charge`, `payment.succeeded`
 *     declined  →  (tx) `failed`, step `charge`, dunning (below), `payment.failed`
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
 * paid or the charge refunded.
 *
 * Dunning, for automatic attempts: after the k-th failed attempt the next one is
 * due `DUNNING_RETRY_DAYS[k−1]` days after the first failure (1, 3, 5 by default);
 * the first failure makes an active or trialing subscription `past_due`; when the
 * last retry fails the invoice becomes `uncollectible` and the subscription is
 * canceled. A manual attempt (`POST /v1/invoices/:id/pay`) that fails changes neither.
 */
export interface PaymentSettings {
  provider: PaymentProvider;
  leaseMs: number;
  dunningRetryDays: readonly number[];
}

export type SagaDeps = Omit<Ctx, 'tx'>;

async function loadPayment(db: Executor, id: string): Promise<PaymentRow> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id));
  if (!row) throw notFound('Payment', id);
  return row;
}

const savePayment = (ctx: TxCtx, current: PaymentRow, changes: Partial<PaymentRow>): Promise<PaymentRow> => saveVersioned(ctx, payments, 'payment', current, changes);

async function step(ctx: TxCtx, paymentId: string, name: string, outcome: 'succeeded' | 'failed' | 'skipped', detail: Record<string, unknown> = {}) {
  const [row] = await ctx.tx.select({ n: sql<number>`coalesce(max(${paymentSteps.seq}), 0)` }).from(paymentSteps).where(eq(paymentSteps.paymentId, paymentId));
  await ctx.tx.insert(paymentSteps).values({ paymentId, seq: Number(row?.n ?? 0) + 1, name, outcome, detail, at: ctx.clock.now() });
}

/**
 * Starts a payment of an open invoice: the saga's first step. 409 when the invoice
 * is not open, owes nothing, or already has a payment in flight.
 */
export function startPayment(ctx: Ctx, invoiceId: string, request: { trigger: 'automatic' | 'manual'; paymentMethod?: string | undefined }, settings: PaymentSettings) {
  return withTransaction(ctx, async (ctx) => {
    const invoice = await loadInvoice(ctx.tx, invoiceId);
    if (invoice.status !== 'open') {
      throw new DomainError('invalid_transition', `cannot pay an invoice that is ${invoice.status}`, { current_status: invoice.status, transition: 'pay' });
    }
    const [live] = await ctx.tx.select({ id: payments.id }).from(payments).where(and(eq(payments.invoiceId, invoiceId), inArray(payments.status, ['pending', 'charged'])));
    if (live) throw conflict(`invoice ${invoiceId} already has payment ${live.id} in progress`, { payment_id: live.id });
    const [customer] = await ctx.tx.select({ paymentMethod: customers.paymentMethod }).from(customers).where(eq(customers.id, invoice.customerId));
    const paymentMethod = request.paymentMethod ?? customer?.paymentMethod ?? null;
    const now = ctx.clock.now();
    const attempt = request.trigger === 'automatic' ? invoice.attemptCount + 1 : invoice.attemptCount;
    const [row] = await ctx.tx
      .insert(payments)
      .values({
        id: newId('pay', now),
        invoiceId,
        customerId: invoice.customerId,
        amount: invoice.amountDue,
        currency: invoice.currency,
        paymentMethod,
        status: 'pending',
        trigger: request.trigger,
        attempt,
        provider: settings.provider.name,
        providerReference: null,
        refundReference: null,
        failureCode: null,
        failureMessage: null,
        lockedUntil: now + settings.leaseMs,
        createdAt: now,
        updatedAt: now,
        version: 1,
      })
      .returning();
    const payment = row!;
    await step(ctx, payment.id, 'initiated', 'succeeded', { trigger: request.trigger, attempt, invoice_number: invoice.number, payment_method_on_file: paymentMethod !== null });
    await emit(ctx, [{ type: 'payment.initiated', subject: payment.id, data: { payment: toPaymentSnapshot(payment) } }]);
    return payment;
  });
}

/** Runs a payment's remaining steps until it is succeeded, failed or refunded. */
export async function runPayment(deps: SagaDeps, paymentId: string, settings: PaymentSettings): Promise<PaymentRow> {
  for (;;) {
    const payment = await loadPayment(deps.db, paymentId);
    if (payment.status === 'pending') await charge(deps, payment, settings);
    else if (payment.status === 'charged') await fulfil(deps, payment, settings);
    else return payment;
  }
}

async function charge(deps: SagaDeps, payment: PaymentRow, settings: PaymentSettings): Promise<void> {
  if (!payment.paymentMethod) {
    await withTransaction(deps, async (ctx) => {
      await step(ctx, payment.id, 'charge', 'skipped', { reason: 'no payment method on file' });
      await fail(ctx, payment, 'no_payment_method', 'There is no payment method on file.', settings);
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
      await step(ctx, payment.id, 'charge', 'failed', { error: 'timeout' });
      await step(ctx, payment.id, 'reverse', reversal.status === 'refunded' ? 'succeeded' : 'skipped', reversal.status === 'refunded' ? { refund_reference: reversal.reference } : { reason: 'nothing was charged' });
      await fail(ctx, payment, 'timeout', 'The payment provider did not answer in time.', settings);
    });
    return;
  }
  await withTransaction(deps, async (ctx) => {
    if (result.status === 'declined') {
      await step(ctx, payment.id, 'charge', 'failed', { code: result.code, message: result.message });
      await fail(ctx, payment, result.code, result.message, settings);
      return;
    }
    await step(ctx, payment.id, 'charge', 'succeeded', { provider_reference: result.reference });
    const row = await savePayment(ctx, payment, { status: 'charged', providerReference: result.reference });
    await emit(ctx, [{ type: 'payment.succeeded', subject: payment.id, data: { payment: toPaymentSnapshot(row) } }]);
  });
}

async function fulfil(deps: SagaDeps, payment: PaymentRow, settings: PaymentSettings): Promise<void> {
  try {
    await withTransaction(deps, async (ctx) => {
      const invoice = await loadInvoice(ctx.tx, payment.invoiceId);
      if (invoice.amountDue !== payment.amount) throw conflict(`invoice ${invoice.id} now asks ${invoice.amountDue}, the payment charged ${payment.amount}`);
      await markInvoicePaid(ctx, invoice, payment.id);
      await step(ctx, payment.id, 'invoice_paid', 'succeeded', { invoice_id: invoice.id });
      await savePayment(ctx, payment, { status: 'succeeded' });
      await step(ctx, payment.id, 'completed', 'succeeded');
    });
  } catch (error) {
    // Only a refusal is compensated; the database failing is retried by resuming later.
    if (!(error instanceof DomainError) || error instanceof ConcurrentUpdateError) throw error;
    await compensate(deps, payment, describeError(error), settings);
  }
}

async function compensate(deps: SagaDeps, payment: PaymentRow, reason: string, settings: PaymentSettings): Promise<void> {
  const refund = await settings.provider.refund({ idempotencyKey: `${payment.id}:refund`, chargeKey: payment.id, amount: payment.amount, currency: payment.currency, reason });
  await withTransaction(deps, async (ctx) => {
    await step(ctx, payment.id, 'fulfil', 'failed', { error: reason });
    await step(ctx, payment.id, 'refund', refund.status === 'refunded' ? 'succeeded' : 'skipped', refund.status === 'refunded' ? { refund_reference: refund.reference } : { reason: 'the provider holds no charge to refund' });
    const current = await loadPayment(ctx.tx, payment.id);
    const row = await savePayment(ctx, current, { status: 'refunded', refundReference: refund.status === 'refunded' ? refund.reference : null, failureCode: 'fulfilment_failed', failureMessage: reason });
    await emit(ctx, [{ type: 'payment.refunded', subject: payment.id, data: { payment: toPaymentSnapshot(row), reason } }]);
  });
}

/** Records a failed attempt and, for automatic attempts on an open invoice, runs dunning. */
async function fail(ctx: TxCtx, payment: PaymentRow, code: string, message: string, settings: PaymentSettings): Promise<void> {
  const current = await loadPayment(ctx.tx, payment.id);
  const failed = await savePayment(ctx, current, { status: 'failed', failureCode: code, failureMessage: message });
  const invoice = await loadInvoice(ctx.tx, payment.invoiceId);
  const now = ctx.clock.now();
  if (payment.trigger !== 'automatic' || invoice.status !== 'open') {
    await emit(ctx, [{ type: 'payment.failed', subject: payment.id, data: { payment: toPaymentSnapshot(failed), failure_message: message, next_attempt_at: toIsoOrNull(invoice.nextAttemptAt), final: false } }]);
    return;
  }
  const firstFailedAt = invoice.firstFailedAt ?? now;
  const retries = settings.dunningRetryDays;
  const nextAttemptAt = payment.attempt <= retries.length ? firstFailedAt + retries[payment.attempt - 1]! * DAY_MS : null;
  let updated = await saveInvoice(ctx, invoice, { attemptCount: payment.attempt, firstFailedAt, nextAttemptAt });
  await emit(ctx, [{ type: 'payment.failed', subject: payment.id, data: { payment: toPaymentSnapshot(failed), failure_message: message, next_attempt_at: toIsoOrNull(nextAttemptAt), final: nextAttemptAt === null } }]);

  const sub = updated.subscriptionId ? await loadSubscription(ctx.tx, updated.subscriptionId) : null;
  if (sub && nextAttemptAt !== null) {
    const pastDue = nextStatus(sub.status, 'payment_failed');
    if (pastDue) {
      const row = await saveSubscription(ctx, sub, { status: pastDue });
      await emit(ctx, [{ type: 'subscription.past_due', subject: sub.id, data: { subscription: toSubscriptionSnapshot(row), invoice_id: invoice.id } }]);
    }
  }
  if (nextAttemptAt !== null) return;

  updated = await saveInvoice(ctx, updated, { status: requireInvoiceTransition(updated, 'mark_uncollectible'), uncollectibleAt: now });
  await emit(ctx, [{ type: 'invoice.marked_uncollectible', subject: invoice.id, data: { invoice: toInvoiceSnapshot(updated) } }]);
  if (!sub) return;
  const canceled = nextStatus(sub.status, 'dunning_exhausted') ?? nextStatus(sub.status, 'cancel');
  if (!canceled) return;
  const row = await saveSubscription(ctx, sub, { status: canceled, canceledAt: now });
  const snapshot = toSubscriptionSnapshot(row);
  await emit(ctx, [
    { type: 'subscription.canceled', subject: sub.id, data: { subscription: snapshot, previous_status: sub.status, at_period_end: false, effective_at: toIso(now), reason: 'dunning_exhausted' } },
    { type: 'subscription.ended', subject: sub.id, data: { subscription: snapshot, reason: 'dunning_exhausted' } },
  ]);
}

/**
 * Takes over payments whose worker stopped mid-saga (lease expired) and finishes
 * them. Returns how many it resumed.
 */
export async function resumeStalledPayments(deps: SagaDeps, settings: PaymentSettings, limit = 50): Promise<number> {
  const now = deps.clock.now();
  const stalled = await deps.db
    .select({ id: payments.id, lockedUntil: payments.lockedUntil })
    .from(payments)
    .where(and(inArray(payments.status, ['pending', 'charged']), lte(payments.lockedUntil, now)))
    .orderBy(asc(payments.id))
    .limit(limit);
  let resumed = 0;
  for (const { id, lockedUntil } of stalled) {
    const claimed = await deps.transactor.write((tx) =>
      tx
        .update(payments)
        .set({ lockedUntil: now + settings.leaseMs })
        .where(and(eq(payments.id, id), eq(payments.lockedUntil, lockedUntil)))
        .returning({ id: payments.id }),
    );
    if (claimed.length === 0) continue;
    try {
      await runPayment(deps, id, settings);
      resumed++;
    } catch (error) {
      deps.logger.error('resuming a payment failed; it will be retried', { payment_id: id, error: describeError(error) });
    }
  }
  return resumed;
}

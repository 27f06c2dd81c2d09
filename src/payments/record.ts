import { and, asc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { livePaymentStatuses, payments, paymentSteps, type paymentStepOutcomes } from '../../db/schema/index.ts';
import { emit } from '../events/outbox.ts';
import { toIsoOrNull } from '../kernel/clock.ts';
import type { Ctx, TxCtx } from '../kernel/context.ts';
import { notFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { saveVersioned } from '../kernel/versioned.ts';
import { toPaymentSnapshot, type PaymentRow } from './present.ts';

/**
 * The payment record: one attempt to move money, its status and its log of steps.
 *
 *   pending ──charged──► charged ──succeeded──► succeeded
 *   pending ──failed──► failed          charged ──refunded──► refunded
 *
 * Each status change emits its `payment.*` event in the caller's transaction. What
 * the attempt is for and what its outcome means (the invoice, dunning) is the
 * caller's business: billing's collection saga (src/billing/collect.ts).
 */
export type StepOutcome = (typeof paymentStepOutcomes)[number];

/** What a new attempt charges, for what, and how long its worker holds it. */
export type NewPayment = Pick<PaymentRow, 'invoiceId' | 'customerId' | 'amount' | 'currency' | 'paymentMethod' | 'trigger' | 'attempt' | 'provider' | 'lockedUntil'>;

export async function loadPayment(db: Executor, id: string): Promise<PaymentRow> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id));
  if (!row) throw notFound('Payment', id);
  return row;
}

const savePayment = (ctx: TxCtx, current: PaymentRow, changes: Partial<PaymentRow>): Promise<PaymentRow> => saveVersioned(ctx, payments, 'payment', current, changes);

/** Appends a step to the payment's log, numbered after the last one. */
export async function recordStep(ctx: TxCtx, paymentId: string, name: string, outcome: StepOutcome, detail: Record<string, unknown> = {}): Promise<void> {
  const [row] = await ctx.tx.select({ n: sql<number>`coalesce(max(${paymentSteps.seq}), 0)` }).from(paymentSteps).where(eq(paymentSteps.paymentId, paymentId));
  await ctx.tx.insert(paymentSteps).values({ paymentId, seq: Number(row?.n ?? 0) + 1, name, outcome, detail, at: ctx.clock.now() });
}

/** The id of the invoice's payment in flight (`pending` or `charged`), if any. */
export async function livePaymentOf(db: Executor, invoiceId: string): Promise<string | null> {
  const [live] = await db.select({ id: payments.id }).from(payments).where(and(eq(payments.invoiceId, invoiceId), inArray(payments.status, livePaymentStatuses)));
  return live?.id ?? null;
}

/** Opens a `pending` payment with its `initiated` step (`detail`); emits `payment.initiated`. */
export async function initiatePayment(ctx: TxCtx, request: NewPayment, detail: Record<string, unknown>): Promise<PaymentRow> {
  const now = ctx.clock.now();
  const [row] = await ctx.tx
    .insert(payments)
    .values({
      id: newId('pay', now),
      ...request,
      status: 'pending',
      providerReference: null,
      refundReference: null,
      failureCode: null,
      failureMessage: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    })
    .returning();
  const payment = row!;
  await recordStep(ctx, payment.id, 'initiated', 'succeeded', detail);
  await emit(ctx, [{ type: 'payment.initiated', subject: payment.id, data: { payment: toPaymentSnapshot(payment) } }]);
  return payment;
}

/** The provider took the money: `charged`, emits `payment.succeeded`. */
export async function markPaymentCharged(ctx: TxCtx, payment: PaymentRow, providerReference: string): Promise<PaymentRow> {
  const row = await savePayment(ctx, payment, { status: 'charged', providerReference });
  await emit(ctx, [{ type: 'payment.succeeded', subject: payment.id, data: { payment: toPaymentSnapshot(row) } }]);
  return row;
}

/**
 * The attempt failed: `failed` with the code and message; emits `payment.failed`
 * with what the caller decided comes next (the next attempt, whether this was the last).
 */
export async function markPaymentFailed(
  ctx: TxCtx,
  paymentId: string,
  failure: { code: string; message: string },
  next: { attemptAt: number | null; final: boolean },
): Promise<PaymentRow> {
  const current = await loadPayment(ctx.tx, paymentId);
  const row = await savePayment(ctx, current, { status: 'failed', failureCode: failure.code, failureMessage: failure.message });
  await emit(ctx, [{ type: 'payment.failed', subject: paymentId, data: { payment: toPaymentSnapshot(row), failure_message: failure.message, next_attempt_at: toIsoOrNull(next.attemptAt), final: next.final } }]);
  return row;
}

/** What the money was for is done: `succeeded` (its event was `payment.succeeded`, when charged). */
export const markPaymentSucceeded = (ctx: TxCtx, payment: PaymentRow): Promise<PaymentRow> => savePayment(ctx, payment, { status: 'succeeded' });

/** The charge was given back because what it paid for could not be done: `refunded`, emits `payment.refunded`. */
export async function markPaymentRefunded(ctx: TxCtx, paymentId: string, refund: { reference: string | null; reason: string }): Promise<PaymentRow> {
  const current = await loadPayment(ctx.tx, paymentId);
  const row = await savePayment(ctx, current, { status: 'refunded', refundReference: refund.reference, failureCode: 'fulfilment_failed', failureMessage: refund.reason });
  await emit(ctx, [{ type: 'payment.refunded', subject: paymentId, data: { payment: toPaymentSnapshot(row), reason: refund.reason } }]);
  return row;
}

/** Payments in flight whose worker's lease ran out by `now`, oldest first. */
export const stalledPayments = (db: Executor, now: number, limit: number, only?: SQL): Promise<{ id: string; lockedUntil: number }[]> =>
  db
    .select({ id: payments.id, lockedUntil: payments.lockedUntil })
    .from(payments)
    .where(and(inArray(payments.status, livePaymentStatuses), lte(payments.lockedUntil, now), only))
    .orderBy(asc(payments.id))
    .limit(limit);

/**
 * Takes over a stalled payment's lease until `until`, in its own transaction. False
 * when another worker claimed it first (the lease is no longer the one that was read).
 */
export async function claimPayment(ctx: Pick<Ctx, 'transactor'>, stalled: { id: string; lockedUntil: number }, until: number): Promise<boolean> {
  const claimed = await ctx.transactor.write((tx) =>
    tx
      .update(payments)
      .set({ lockedUntil: until })
      .where(and(eq(payments.id, stalled.id), eq(payments.lockedUntil, stalled.lockedUntil)))
      .returning({ id: payments.id }),
  );
  return claimed.length > 0;
}

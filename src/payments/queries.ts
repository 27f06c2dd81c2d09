import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { payments, paymentSteps } from '../../db/schema/index.ts';
import { loadPayment } from './record.ts';
import { toPaymentResource } from './present.ts';

/** A payment with its saga's steps in order. */
export async function getPayment(db: Executor, id: string) {
  const row = await loadPayment(db, id);
  const steps = await db.select().from(paymentSteps).where(eq(paymentSteps.paymentId, id)).orderBy(asc(paymentSteps.seq));
  return toPaymentResource(row, steps);
}

/** The payments of an invoice, oldest first, with their steps (two queries whatever their number). */
export async function listPaymentsOf(db: Executor, invoiceId: string) {
  const rows = await db.select().from(payments).where(eq(payments.invoiceId, invoiceId)).orderBy(asc(payments.id));
  const steps = rows.length === 0 ? [] : await db.select().from(paymentSteps).where(inArray(paymentSteps.paymentId, rows.map((r) => r.id))).orderBy(asc(paymentSteps.seq));
  return { data: rows.map((r) => toPaymentResource(r, steps.filter((s) => s.paymentId === r.id))), next_cursor: null, has_more: false };
}

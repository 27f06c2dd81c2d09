import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { listPage, type PageRequest } from '../../db/paging.ts';
import { payments, paymentSteps } from '../../db/schema/index.ts';
import { loadPayment } from './record.ts';
import { inChunks } from '../../db/chunks.ts';
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
  const steps = await inChunks(rows.map((r) => r.id), (part) => db.select().from(paymentSteps).where(inArray(paymentSteps.paymentId, part)).orderBy(asc(paymentSteps.seq)));
  return { data: rows.map((r) => toPaymentResource(r, steps.filter((s) => s.paymentId === r.id))), next_cursor: null, has_more: false };
}

/** A customer's payments, newest first, one keyset page at a time, each with its saga's steps (one query for the page's steps). */
export function listCustomerPayments(db: Executor, customerId: string, page: PageRequest) {
  return listPage(db.select().from(payments).$dynamic(), page, {
    key: payments.id,
    keyOf: (r) => r.id,
    where: [eq(payments.customerId, customerId)],
    present: async (rows) => {
      // In the primary key's order (payment, seq): no sort of the page's steps.
      const steps = await inChunks(rows.map((r) => r.id), (part) => db.select().from(paymentSteps).where(inArray(paymentSteps.paymentId, part)).orderBy(asc(paymentSteps.paymentId), asc(paymentSteps.seq)));
      return rows.map((r) => toPaymentResource(r, steps.filter((s) => s.paymentId === r.id)));
    },
  });
}

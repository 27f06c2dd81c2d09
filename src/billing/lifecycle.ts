import { asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { invoiceLines, invoices } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { DomainError, notFound } from '../kernel/errors.ts';
import { saveVersioned } from '../kernel/versioned.ts';
import type { InvoiceLineRow, InvoiceRow } from './present.ts';

/**
 * The invoice lifecycle:
 *
 *   draft ──finalize──► open ──pay──► paid
 *   draft | open ──void──► void
 *   open ──mark_uncollectible──► uncollectible (dunning gave up)
 *
 * paid, void and uncollectible are final. An invoice whose amount due is 0 at
 * finalization (credit covered it, or it was negative) is paid right away.
 */
export type InvoiceStatus = InvoiceRow['status'];
export type InvoiceTransition = 'finalize' | 'pay' | 'void' | 'mark_uncollectible';

const allowed: Record<InvoiceTransition, readonly InvoiceStatus[]> = {
  finalize: ['draft'],
  pay: ['open'],
  void: ['draft', 'open'],
  mark_uncollectible: ['open'],
};
const target: Record<InvoiceTransition, InvoiceStatus> = { finalize: 'open', pay: 'paid', void: 'void', mark_uncollectible: 'uncollectible' };

/** The status after `transition`, or null when the lifecycle does not allow it. */
export const nextInvoiceStatus = (from: InvoiceStatus, transition: InvoiceTransition): InvoiceStatus | null =>
  allowed[transition].includes(from) ? target[transition] : null;

/** The next status, or a 409 `invalid_transition` naming the current one. */
export function requireInvoiceTransition(invoice: InvoiceRow, transition: InvoiceTransition): InvoiceStatus {
  const next = nextInvoiceStatus(invoice.status, transition);
  if (!next) {
    throw new DomainError('invalid_transition', `cannot ${transition.replace('_', ' ')} an invoice that is ${invoice.status}`, { current_status: invoice.status, transition });
  }
  return next;
}

export async function loadInvoice(db: Executor, id: string): Promise<InvoiceRow> {
  const [row] = await db.select().from(invoices).where(eq(invoices.id, id));
  if (!row) throw notFound('Invoice', id);
  return row;
}

export const loadInvoiceLines = (db: Executor, invoiceId: string): Promise<InvoiceLineRow[]> =>
  db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId)).orderBy(asc(invoiceLines.id));

/** Writes `changes` to an invoice read at `current.version`; a concurrent change makes it a conflict. */
export const saveInvoice = (ctx: TxCtx, current: InvoiceRow, changes: Partial<InvoiceRow>): Promise<InvoiceRow> => saveVersioned(ctx, invoices, 'invoice', current, changes);

/** The next invoice number: sequential among finalized invoices (one writer at a time, so no gaps). */
export async function nextInvoiceNumber(db: Executor): Promise<string> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(invoices).where(isNotNull(invoices.number));
  return `INV-${String(Number(row?.n ?? 0) + 1).padStart(6, '0')}`;
}

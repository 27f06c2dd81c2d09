import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { creditEntries, invoiceLines, invoices } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { toIso } from '../kernel/clock.ts';
import { listPaymentsOf } from '../payments/queries.ts';
import { loadInvoice, loadInvoiceLines } from './lifecycle.ts';
import { toInvoiceResource, type InvoiceLineRow, type InvoiceRow } from './present.ts';
import { inChunks } from '../../db/chunks.ts';
import type { ListInvoicesQuery } from './contract.ts';

export async function getInvoice(db: Executor, id: string) {
  const row = await loadInvoice(db, id);
  return toInvoiceResource(row, await loadInvoiceLines(db, id));
}

/** Invoices, newest first, filtered, one keyset page at a time, each with its lines. */
export function listInvoices(db: Executor, query: ListInvoicesQuery) {
  const where = [filterBy(invoices.status, query.status), filterBy(invoices.customerId, query.customer_id), filterBy(invoices.subscriptionId, query.subscription_id)];
  return listPage(db.select().from(invoices).$dynamic(), query, { key: invoices.id, keyOf: (r) => r.id, where, present: (rows) => withLines(db, rows) });
}

/** The page's invoices with their lines, read in one query, not one per invoice. */
async function withLines(db: Executor, rows: InvoiceRow[]) {
  const lines = new Map<string, InvoiceLineRow[]>();
  const all = await inChunks(rows.map((r) => r.id), (part) => db.select().from(invoiceLines).where(inArray(invoiceLines.invoiceId, part)).orderBy(asc(invoiceLines.id)));
  for (const line of all) lines.set(line.invoiceId, [...(lines.get(line.invoiceId) ?? []), line]);
  return rows.map((r) => toInvoiceResource(r, lines.get(r.id) ?? []));
}

/** An invoice's payments (404 for an unknown invoice), oldest first, with their steps. */
export async function listInvoicePayments(db: Executor, invoiceId: string) {
  await loadInvoice(db, invoiceId);
  return listPaymentsOf(db, invoiceId);
}

/** A customer's credit ledger (oldest first) and balance per currency. */
export async function getCreditBalance(db: Executor, customerId: string) {
  await loadCustomer(db, customerId);
  const rows = await db.select().from(creditEntries).where(eq(creditEntries.customerId, customerId)).orderBy(asc(creditEntries.id));
  const balances: Record<string, number> = {};
  for (const r of rows) balances[r.currency] = (balances[r.currency] ?? 0) + r.amount;
  return {
    object: 'credit_balance' as const,
    customer_id: customerId,
    balances,
    entries: rows.map((r) => ({ id: r.id, object: 'credit_entry' as const, customer_id: r.customerId, amount: r.amount, currency: r.currency, reason: r.reason, invoice_id: r.invoiceId, description: r.description, created_at: toIso(r.createdAt) })),
  };
}

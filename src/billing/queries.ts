import { and, asc, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { creditEntries, invoiceLines, invoices } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { toIso } from '../kernel/clock.ts';
import { listPaymentsOf } from '../payments/queries.ts';
import { loadInvoice, loadInvoiceLines } from './lifecycle.ts';
import { toInvoiceResource, type InvoiceLineRow } from './present.ts';
import type { ListInvoicesQuery } from './schema.ts';

export async function getInvoice(db: Executor, id: string) {
  const row = await loadInvoice(db, id);
  return toInvoiceResource(row, await loadInvoiceLines(db, id));
}

/** Invoices, newest first, filtered, one keyset page at a time, each with its lines. */
export async function listInvoices(db: Executor, query: ListInvoicesQuery) {
  const after = decodeCursor(query.cursor, 'string');
  const filters: (SQL | undefined)[] = [
    after ? lt(invoices.id, after) : undefined,
    query.status ? eq(invoices.status, query.status) : undefined,
    query.customer_id ? eq(invoices.customerId, query.customer_id) : undefined,
    query.subscription_id ? eq(invoices.subscriptionId, query.subscription_id) : undefined,
  ];
  const rows = await db.select().from(invoices).where(and(...filters)).orderBy(desc(invoices.id)).limit(query.limit + 1);
  // The page's lines in one query, not one per invoice.
  const lines = new Map<string, InvoiceLineRow[]>();
  const all = rows.length === 0 ? [] : await db.select().from(invoiceLines).where(inArray(invoiceLines.invoiceId, rows.map((r) => r.id))).orderBy(asc(invoiceLines.id));
  for (const line of all) lines.set(line.invoiceId, [...(lines.get(line.invoiceId) ?? []), line]);
  return toPage(rows, query.limit, (r) => r.id, (r) => toInvoiceResource(r, lines.get(r.id) ?? []));
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

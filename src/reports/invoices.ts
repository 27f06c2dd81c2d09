import { and, count, eq, gte, notInArray, sql } from 'drizzle-orm';
import { sandboxCustomerIds } from '../customers/clock.ts';
import type { Executor } from '../../db/client.ts';
import { invoices, outbox } from '../../db/schema/index.ts';
import { firstPositionAt, position } from './event-window.ts';
import { isOverdue, perPeriod } from './metrics.ts';

/** Collected money per currency and month. */
export interface Revenue {
  collected: Map<string, number[]>;
  invoices: Map<string, number[]>;
}

/**
 * What paid invoices collected (`amount_paid`) per currency in each month starting at
 * `starts` (ascending) until `end`, from the `invoice.paid` events of that window; summed by
 * the database per currency and day, so a year of invoices is not read row by row. Sandbox
 * customers' invoices are left out.
 */
export async function revenueByMonth(db: Executor, starts: readonly number[], end: number): Promise<Revenue> {
  const from = await firstPositionAt(db, starts[0]!);
  const currency = sql<string>`json_extract(${outbox.data}, '$.invoice.currency')`;
  const day = sql<number>`(${outbox.time} / 86400000) * 86400000`;
  const rows = await db
    .select({ currency, day, amount: sql<number>`sum(json_extract(${outbox.data}, '$.invoice.amount_paid'))`, n: count() })
    .from(outbox)
    .where(and(eq(outbox.type, 'invoice.paid'), gte(position, from), notInArray(sql`json_extract(${outbox.data}, '$.invoice.customer_id')`, sandboxCustomerIds(db))))
    .groupBy(currency, day);
  return {
    collected: perPeriod(rows.map((r) => ({ at: r.day, key: r.currency, amount: r.amount })), starts, end),
    invoices: perPeriod(rows.map((r) => ({ at: r.day, key: r.currency, amount: r.n })), starts, end),
  };
}

/** Open invoices per currency: how many and how much is due, and the overdue part of them. */
export interface Receivables {
  open: { invoices: number; amountDue: number };
  overdue: { invoices: number; amountDue: number };
}

/** Open invoices (finalized, unpaid) of live customers per currency, with the overdue ones (see `isOverdue`). */
export async function receivables(db: Executor): Promise<Map<string, Receivables>> {
  const rows = await db
    .select({ currency: invoices.currency, amountDue: invoices.amountDue, firstFailedAt: invoices.firstFailedAt, autoCollect: invoices.autoCollect })
    .from(invoices)
    .where(and(eq(invoices.status, 'open'), notInArray(invoices.customerId, sandboxCustomerIds(db))));
  const out = new Map<string, Receivables>();
  for (const r of rows) {
    const entry = out.get(r.currency) ?? (out.set(r.currency, { open: { invoices: 0, amountDue: 0 }, overdue: { invoices: 0, amountDue: 0 } }), out.get(r.currency)!);
    entry.open.invoices += 1;
    entry.open.amountDue += r.amountDue;
    if (isOverdue(r)) {
      entry.overdue.invoices += 1;
      entry.overdue.amountDue += r.amountDue;
    }
  }
  return out;
}

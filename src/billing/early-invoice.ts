import { and, asc, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { invoices, subscriptions, usageThresholdCrossings } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { isBilled } from '../subscriptions/lifecycle.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import { draftInvoice } from './draft.ts';
import { finalizeInvoice } from './finalize.ts';
import type { InvoiceRow } from './present.ts';

/** A threshold reached in a period whose early invoice the billing worker has yet to make. */
export interface EarlyInvoiceDue {
  thresholdId: string;
  periodStart: number;
}

/** Crossings waiting for an early invoice, oldest first. */
export function dueEarlyInvoices(db: Executor, limit: number, inScope: (customerId: SQLWrapper) => SQL | undefined): Promise<EarlyInvoiceDue[]> {
  return db
    .select({ thresholdId: usageThresholdCrossings.thresholdId, periodStart: usageThresholdCrossings.periodStart })
    .from(usageThresholdCrossings)
    .innerJoin(subscriptions, eq(subscriptions.id, usageThresholdCrossings.subscriptionId))
    .where(and(eq(usageThresholdCrossings.earlyInvoiceDue, true), inScope(subscriptions.customerId)))
    .orderBy(asc(usageThresholdCrossings.reachedAt))
    .limit(limit);
}

/**
 * Progressive billing, in one transaction: for a threshold with `invoice_early` reached in a
 * period, drafts and finalizes a `threshold` invoice of the period's overage not yet invoiced
 * (numbered 1, 2, … within the period by `sequence`), collected like any other. Nothing is
 * drafted when nothing is left to bill (another threshold's invoice took it), when the
 * period is already closed, or when the subscription is not `active` or `past_due`
 * (incomplete, still trialing, canceled): the period-end invoice bills it then.
 * Returns the invoice, or null; the crossing is marked done either way.
 */
export async function invoiceEarly(ctx: TxCtx, due: EarlyInvoiceDue): Promise<InvoiceRow | null> {
  const key = and(eq(usageThresholdCrossings.thresholdId, due.thresholdId), eq(usageThresholdCrossings.periodStart, due.periodStart));
  const [crossing] = await ctx.tx.select().from(usageThresholdCrossings).where(key);
  if (!crossing?.earlyInvoiceDue) return null;
  const sub = await loadSubscription(ctx.tx, crossing.subscriptionId);
  let invoice: InvoiceRow | null = null;
  // Only a paying subscription: paying an early invoice must not activate one whose fee is unpaid.
  const paying = isBilled(sub.status);
  if (paying && crossing.periodStart >= sub.currentPeriodStart) {
    const [{ count } = { count: 0 }] = await ctx.tx
      .select({ count: sql<number>`count(*)` })
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, sub.id), eq(invoices.periodStart, crossing.periodStart), eq(invoices.billingReason, 'threshold')));
    const draft = await draftInvoice(ctx, sub, { reason: 'threshold', feePeriod: null, usagePeriod: { start: crossing.periodStart, end: crossing.periodEnd }, sequence: Number(count) + 1 });
    invoice = draft && draft.status === 'draft' ? await finalizeInvoice(ctx, draft) : draft;
  }
  await ctx.tx.update(usageThresholdCrossings).set({ earlyInvoiceDue: false, invoiceId: invoice?.id ?? null }).where(key);
  return invoice;
}

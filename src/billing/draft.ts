import { and, asc, eq, isNull } from 'drizzle-orm';
import { customers, invoiceLines, invoices, subscriptionAdjustments, usagePeriods } from '../../db/schema/index.ts';
import { planDiscount } from '../coupons/invoice-line.ts';
import { money } from '../kernel/money.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import { loadPlanVersion } from '../plans/load.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import { overageCharge } from '../usage/quota.ts';
import { toInvoiceSnapshot, type InvoiceRow } from './present.ts';
import { invoiceTotals } from './totals.ts';

type Reason = InvoiceRow['billingReason'];
type NewLine = Omit<typeof invoiceLines.$inferInsert, 'id' | 'invoiceId'>;

export interface DraftRequest {
  reason: Reason;
  /** The period whose fee is billed in advance; null bills no fee (a closing invoice). */
  feePeriod: { start: number; end: number } | null;
  /** The ended period whose usage overage is billed in arrears; null for none. */
  usagePeriod: { start: number; end: number } | null;
}

const day = (ms: number) => toIso(ms).slice(0, 10);

/**
 * Drafts the invoice of a subscription for one period, in the subscription's
 * transaction. Lines, in this order:
 *   subscription_fee   the plan version's price for `feePeriod` (billed in advance)
 *   proration_*        the subscription's adjustments not yet invoiced (they are taken now)
 *   usage_overage      round_half_up(overage_tokens × overage_price_per_1k / 1000) of `usagePeriod`
 *                      (billed in arrears, at the subscription's current plan version)
 *   discount           minus the active coupon's share of the lines above (src/coupons/invoice-line.ts)
 * Totals use the customer's tax rate; credit is applied at finalization.
 * Idempotent: an invoice already drafted for the same subscription, period and reason is returned as it is.
 * A closing invoice with no lines is not created (returns null).
 */
export async function draftInvoice(ctx: TxCtx, sub: SubscriptionRow, request: DraftRequest): Promise<InvoiceRow | null> {
  const invoicePeriod = request.feePeriod ?? request.usagePeriod;
  if (!invoicePeriod) throw new RangeError('an invoice bills a fee period, a usage period or both');
  const [existing] = await ctx.tx
    .select()
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, sub.id), eq(invoices.periodStart, invoicePeriod.start), eq(invoices.billingReason, request.reason)));
  if (existing) return existing;

  const terms = await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion, sub.currency);
  const lines: NewLine[] = [];
  if (request.feePeriod) {
    const { start, end } = request.feePeriod;
    lines.push({ kind: 'subscription_fee', description: `${terms.name} (v${terms.version}), ${day(start)} to ${day(end)}`, amount: terms.priceAmount, quantity: 1, periodStart: start, periodEnd: end, sourceId: null });
  }
  const adjustments = await ctx.tx
    .select()
    .from(subscriptionAdjustments)
    .where(and(eq(subscriptionAdjustments.subscriptionId, sub.id), isNull(subscriptionAdjustments.invoicedAt)))
    .orderBy(asc(subscriptionAdjustments.id));
  for (const a of adjustments) {
    if (a.currency !== terms.currency) throw new RangeError(`adjustment ${a.id} is in ${a.currency}, the subscription bills in ${terms.currency}`);
    lines.push({ kind: a.kind, description: a.description, amount: a.amount, quantity: 1, periodStart: a.createdAt, periodEnd: sub.currentPeriodEnd, sourceId: a.id });
  }
  if (request.usagePeriod) {
    const { start, end } = request.usagePeriod;
    const [usage] = await ctx.tx.select().from(usagePeriods).where(and(eq(usagePeriods.subscriptionId, sub.id), eq(usagePeriods.periodStart, start)));
    if (usage && usage.overageTokens > 0) {
      const charge = overageCharge(usage.overageTokens, money(terms.overagePricePer1k, terms.currency));
      lines.push({
        kind: 'usage_overage',
        description: `${usage.overageTokens} AI tokens over the included ${terms.includedTokens}, ${day(start)} to ${day(end)}, at ${terms.overagePricePer1k} per 1,000`,
        amount: charge.amount,
        quantity: usage.overageTokens,
        periodStart: start,
        periodEnd: end,
        sourceId: null,
      });
    }
  }
  if (lines.length === 0) return null;
  const discount = await planDiscount(ctx, { subscriptionId: sub.id, planId: sub.planId, currency: terms.currency, lines, feePeriod: request.feePeriod, period: invoicePeriod });
  if (discount?.line) lines.push(discount.line);

  const [customer] = await ctx.tx.select({ taxRateBps: customers.taxRateBps }).from(customers).where(eq(customers.id, sub.customerId));
  const taxRateBps = customer?.taxRateBps ?? 0;
  const totals = invoiceTotals({ lineAmounts: lines.map((l) => l.amount), currency: terms.currency, taxRateBps, creditBalance: 0 });
  const now = ctx.clock.now();
  const id = newId('inv', now);
  const [row] = await ctx.tx
    .insert(invoices)
    .values({
      id,
      number: null,
      customerId: sub.customerId,
      subscriptionId: sub.id,
      status: 'draft',
      billingReason: request.reason,
      currency: terms.currency,
      periodStart: invoicePeriod.start,
      periodEnd: invoicePeriod.end,
      subtotal: totals.subtotal,
      taxRateBps,
      tax: totals.tax,
      total: totals.total,
      creditApplied: 0,
      amountDue: totals.amountDue,
      amountPaid: 0,
      autoCollect: true,
      attemptCount: 0,
      nextAttemptAt: null,
      firstFailedAt: null,
      finalizeAt: now + ctx.settings.billing.draftMs,
      finalizedAt: null,
      paidAt: null,
      voidedAt: null,
      uncollectibleAt: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    })
    .returning();
  for (const line of lines) await ctx.tx.insert(invoiceLines).values({ id: newId('inl', now), invoiceId: id, ...line });
  for (const a of adjustments) {
    await ctx.tx.update(subscriptionAdjustments).set({ invoicedAt: now, invoiceId: id }).where(eq(subscriptionAdjustments.id, a.id));
  }
  await emit(ctx, [{ type: 'invoice.created', subject: id, data: { invoice: toInvoiceSnapshot(row!) } }]);
  await discount?.record(id);
  return row!;
}

import { and, asc, eq, isNull } from 'drizzle-orm';
import { customers, invoiceLines, invoices, subscriptionAdjustments } from '../../db/schema/index.ts';
import { planDiscount } from '../coupons/invoice-line.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { periodFeeLines } from '../subscriptions/fee-lines.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import { periodUsageCharges } from '../pricing/period-usage.ts';
import { minimumSpendTrueUpLine, usageOverageLine } from '../usage-thresholds/draft-lines.ts';
import { newInvoiceDefaults, toInvoiceSnapshot, type InvoiceRow } from './present.ts';
import { invoiceTotals } from './totals.ts';
import { usageChargeLines } from './usage-charge-lines.ts';

type Reason = InvoiceRow['billingReason'];
type NewLine = Omit<typeof invoiceLines.$inferInsert, 'id' | 'invoiceId'>;

export interface DraftRequest {
  reason: Reason;
  /** The period whose fee is billed in advance; null bills no fee (a closing invoice). */
  feePeriod: { start: number; end: number } | null;
  /** The ended period whose usage overage is billed in arrears; null for none. */
  usagePeriod: { start: number; end: number } | null;
  /** 0, or the number of an early (`threshold`) invoice within its period: 1, 2, … */
  sequence?: number;
}

const day = (ms: number) => toIso(ms).slice(0, 10);

/**
 * Drafts the invoice of a subscription for one period, in the subscription's
 * transaction. Lines, in this order:
 *   subscription_fee   the plan version's price for `feePeriod` (billed in advance)
 *   seats, add_on      with the fee: seats × seat price and each active add-on (src/subscriptions/fee-lines.ts)
 *   proration_*        the subscription's adjustments not yet invoiced (they are taken now)
 *   usage_overage      round_half_up(overage_tokens × overage_price_per_1k / 1000) of `usagePeriod`
 *                      (billed in arrears, at the subscription's current plan version), less what
 *                      early (`threshold`) invoices of the period billed (src/usage-thresholds/draft-lines.ts),
 *                      when the charges in force are just the token terms (src/pricing/period-usage.ts);
 *   usage_charge       otherwise, one line per priced dimension of each charge in force and one per
 *                      minimum or maximum applied, each less what early invoices billed (./usage-charge-lines.ts)
 *   discount           minus the active coupon's share of the lines above (src/coupons/invoice-line.ts) (a period-end true-up is not discounted)
 *   minimum_spend_true_up  on a period-end invoice, what the ended period's spend fell short of the
 *                      subscription's minimum spend
 * An early (`threshold`) invoice takes no fee, prorations or true-up: only the overage so far.
 * Totals use the customer's tax rate; credit is applied at finalization.
 * Idempotent: an invoice already drafted for the same subscription, period, reason and sequence is returned as it is.
 * A closing invoice with no lines is not created (returns null).
 */
export async function draftInvoice(ctx: TxCtx, sub: SubscriptionRow, request: DraftRequest): Promise<InvoiceRow | null> {
  const invoicePeriod = request.feePeriod ?? request.usagePeriod;
  if (!invoicePeriod) throw new RangeError('an invoice bills a fee period, a usage period or both');
  const sequence = request.sequence ?? 0;
  const [existing] = await ctx.tx
    .select()
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, sub.id), eq(invoices.periodStart, invoicePeriod.start), eq(invoices.billingReason, request.reason), eq(invoices.sequence, sequence)));
  if (existing) return existing;

  const terms = await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion, sub.currency);
  const lines: NewLine[] = [];
  if (request.feePeriod) {
    const { start, end } = request.feePeriod;
    lines.push({ kind: 'subscription_fee', description: `${terms.name} (v${terms.version}), ${day(start)} to ${day(end)}`, amount: terms.priceAmount, quantity: 1, periodStart: start, periodEnd: end, sourceId: null });
    lines.push(...(await periodFeeLines(ctx.tx, sub, request.feePeriod)));
  }
  // An early invoice bills overage only: prorations wait for the period-end invoice.
  const adjustments =
    request.reason === 'threshold'
      ? []
      : await ctx.tx
          .select()
          .from(subscriptionAdjustments)
          .where(and(eq(subscriptionAdjustments.subscriptionId, sub.id), isNull(subscriptionAdjustments.invoicedAt)))
          .orderBy(asc(subscriptionAdjustments.id));
  for (const a of adjustments) {
    if (a.currency !== terms.currency) throw new RangeError(`adjustment ${a.id} is in ${a.currency}, the subscription bills in ${terms.currency}`);
    lines.push({ kind: a.kind, description: a.description, amount: a.amount, quantity: 1, periodStart: a.createdAt, periodEnd: sub.currentPeriodEnd, sourceId: a.id });
  }
  if (request.usagePeriod) {
    const usage = await periodUsageCharges(ctx.tx, sub, terms, request.usagePeriod);
    if (usage.legacy) {
      const overage = await usageOverageLine(ctx, sub, terms, request.usagePeriod);
      if (overage) lines.push(overage);
    } else {
      lines.push(...(await usageChargeLines(ctx.tx, sub.id, usage.charges, request.usagePeriod, request.reason === 'threshold')));
    }
  }
  const discount = lines.length > 0 ? await planDiscount(ctx, { subscriptionId: sub.id, planId: sub.planId, currency: terms.currency, lines, feePeriod: request.feePeriod, period: invoicePeriod }) : null;
  if (discount?.line) lines.push(discount.line);
  // Only a period-end invoice measures the ended period against the minimum spend (before discounts).
  if (request.usagePeriod && request.reason !== 'threshold') {
    const trueUp = await minimumSpendTrueUpLine(ctx, sub, terms, request.usagePeriod);
    if (trueUp) lines.push(trueUp);
  }
  if (lines.length === 0) return null;

  const [customer] = await ctx.tx.select({ taxRateBps: customers.taxRateBps }).from(customers).where(eq(customers.id, sub.customerId));
  const taxRateBps = customer?.taxRateBps ?? 0;
  const totals = invoiceTotals({ lineAmounts: lines.map((l) => l.amount), currency: terms.currency, taxRateBps, creditBalance: 0 });
  const now = ctx.clock.now();
  const id = newId('inv', now);
  const [row] = await ctx.tx
    .insert(invoices)
    .values({
      ...newInvoiceDefaults(now),
      id,
      number: null,
      customerId: sub.customerId,
      subscriptionId: sub.id,
      status: 'draft',
      billingReason: request.reason,
      sequence,
      currency: terms.currency,
      periodStart: invoicePeriod.start,
      periodEnd: invoicePeriod.end,
      subtotal: totals.subtotal,
      taxRateBps,
      tax: totals.tax,
      total: totals.total,
      creditApplied: 0,
      amountDue: totals.amountDue,
      nextAttemptAt: null,
      finalizeAt: now + ctx.settings.billing.draftMs,
      finalizedAt: null,
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

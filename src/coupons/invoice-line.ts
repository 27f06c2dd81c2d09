import { and, eq } from 'drizzle-orm';
import { coupons, subscriptionDiscounts } from '../../db/schema/index.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { formatMoney, money } from '../kernel/money.ts';
import { toDiscountSnapshot, type CouponRow } from './present.ts';
import { discountAmount, periodLimit } from './rules.ts';

/** The invoice being drafted, as the discount needs it. */
export interface DraftedInvoice {
  subscriptionId: string;
  planId: string;
  currency: string;
  /** Every line drafted so far (fee, proration, usage overage): the eligible amount is their sum. */
  lines: readonly { amount: number }[];
  /** The fee period billed; null for an invoice without a fee (it does not count as a period). */
  feePeriod: { start: number; end: number } | null;
  /** The invoice's period, which the discount line carries. */
  period: { start: number; end: number };
}

/** The discount's line and, once the invoice row exists, the step that counts the period. */
export interface PlannedDiscount {
  line: { kind: 'discount'; description: string; amount: number; quantity: number; periodStart: number; periodEnd: number; sourceId: string } | null;
  /** Counts the billing period against the coupon's duration; ends the discount (`discount.ended`) after its last one. */
  record(invoiceId: string): Promise<void>;
}

const percentText = (bps: number) => `${(bps / 100).toFixed(2).replace(/\.?0+$/, '')} %`;

/** What the line says: the coupon's code, name and what it takes off. */
export function discountDescription(coupon: CouponRow): string {
  const off = coupon.percentOffBps !== null ? percentText(coupon.percentOffBps) : formatMoney(money(coupon.amountOff!, coupon.currency!));
  return `Coupon ${coupon.code} (${coupon.name}): ${off} off`;
}

/**
 * The negative `discount` line of a subscription's active discount on an invoice being
 * drafted, placed after the fee, proration and usage lines and before tax:
 *   eligible = Σ the lines drafted so far, proration credits and charges included
 *              (the credit for the rest of a discounted period is discounted the same way)
 *   line     = −discountAmount(coupon, eligible)  (src/coupons/rules.ts: percent rounded half up,
 *              a fixed amount clamped to eligible, so an invoice never goes negative)
 * None when the subscription has no active discount, its plan is not covered by the
 * coupon, or a fixed amount is in another currency. Periods are counted by distinct fee
 * periods, not invoices.
 */
export async function planDiscount(ctx: TxCtx, invoice: DraftedInvoice): Promise<PlannedDiscount | null> {
  const [found] = await ctx.tx
    .select({ discount: subscriptionDiscounts, coupon: coupons })
    .from(subscriptionDiscounts)
    .innerJoin(coupons, eq(coupons.id, subscriptionDiscounts.couponId))
    .where(and(eq(subscriptionDiscounts.subscriptionId, invoice.subscriptionId), eq(subscriptionDiscounts.status, 'active')));
  if (!found) return null;
  const { discount, coupon } = found;
  if (coupon.appliesToPlans !== null && !coupon.appliesToPlans.includes(invoice.planId)) return null;
  if (coupon.amountOff !== null && coupon.currency !== invoice.currency) return null;

  const eligible = invoice.lines.reduce((total, l) => total + l.amount, 0);
  const amount = discountAmount(coupon, eligible);
  const line = amount === 0
    ? null
    : { kind: 'discount' as const, description: discountDescription(coupon), amount: -amount, quantity: 1, periodStart: invoice.period.start, periodEnd: invoice.period.end, sourceId: discount.id };
  const newPeriod = invoice.feePeriod !== null && invoice.feePeriod.start !== discount.lastPeriodStart;

  return {
    line,
    async record(invoiceId) {
      if (!newPeriod) return;
      const now = ctx.clock.now();
      const periodsApplied = discount.periodsApplied + 1;
      const limit = periodLimit(coupon.duration, coupon.durationPeriods);
      const ended = limit !== null && periodsApplied >= limit;
      const [row] = await ctx.tx
        .update(subscriptionDiscounts)
        .set({ periodsApplied, lastPeriodStart: invoice.feePeriod!.start, updatedAt: now, ...(ended ? { status: 'ended' as const, endedAt: now } : {}) })
        .where(eq(subscriptionDiscounts.id, discount.id))
        .returning();
      if (ended) await emit(ctx, [{ type: 'discount.ended', subject: invoice.subscriptionId, data: { discount: toDiscountSnapshot(row!, coupon), invoice_id: invoiceId } }]);
    },
  };
}

import { invoiceLines } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import { periodUsageCharges } from '../pricing/period-usage.ts';
import type { TxCtx } from '../kernel/context.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import { minimumSpendOf } from './minimum-spend.ts';
import { billedForPeriod, overageAmount, overageDue, periodOverage } from './period-billing.ts';

type DraftLine = Omit<typeof invoiceLines.$inferInsert, 'id' | 'invoiceId'>;
type Period = { start: number; end: number };

const day = (ms: number) => toIso(ms).slice(0, 10);

/**
 * The `usage_overage` line of an invoice billing `period`'s usage (at the end of the period,
 * or early for a threshold): the overage not yet on an earlier invoice of the period, at the
 * subscription's current plan version (src/usage-thresholds/period-billing.ts says how the
 * sum stays exact). Null when nothing is left to bill.
 */
export async function usageOverageLine(ctx: TxCtx, sub: SubscriptionRow, terms: PlanVersionRow, period: Period): Promise<DraftLine | null> {
  const totalTokens = await periodOverage(ctx.tx, sub.id, period.start);
  const billed = await billedForPeriod(ctx.tx, sub.id, period.start);
  const due = overageDue(totalTokens, terms.overagePricePer1k, terms.currency, billed);
  if (due.tokens === 0 && due.amount === 0) return null;
  const span = `${day(period.start)} to ${day(period.end)}, at ${terms.overagePricePer1k} per 1,000`;
  const description = due.partlyBilled
    ? `${due.tokens} more AI tokens over the included ${terms.includedTokens} (${due.totalTokens} in all, ${billed.overageTokens} billed before), ${span}`
    : `${due.tokens} AI tokens over the included ${terms.includedTokens}, ${span}`;
  return { kind: 'usage_overage', description, amount: due.amount, quantity: due.tokens, periodStart: period.start, periodEnd: period.end, sourceId: null };
}

/**
 * The `minimum_spend_true_up` line of a period-end invoice: when the subscription has a
 * minimum spend and the ended period's spend is below it, the difference.
 *
 *   spend = Σ subscription_fee, seats and add_on lines billed for the period (on non-void invoices)
 *         + round_half_up(period overage tokens × price_per_1k / 1000)   (early and period-end overage together)
 *           or, for a subscription priced by charges, Σ the period's charge amounts (src/pricing/period-usage.ts)
 *   true-up = minimum − spend, when > 0
 *
 * Before tax; proration lines and discounts are not counted as spend (a discount does not
 * reduce the spend the minimum is measured against, and the true-up is not discounted by it
 * here). The minimum in force when the period-end invoice is drafted applies.
 */
export async function minimumSpendTrueUpLine(ctx: TxCtx, sub: SubscriptionRow, terms: PlanVersionRow, period: Period): Promise<DraftLine | null> {
  const minimum = await minimumSpendOf(ctx.tx, sub.id);
  if (!minimum) return null;
  if (minimum.currency !== terms.currency) throw new RangeError(`the minimum spend of ${sub.id} is in ${minimum.currency}, the subscription bills in ${terms.currency}`);
  const billed = await billedForPeriod(ctx.tx, sub.id, period.start);
  const charged = await periodUsageCharges(ctx.tx, sub, terms, period);
  const usage = charged.legacy ? overageAmount(await periodOverage(ctx.tx, sub.id, period.start), terms.overagePricePer1k, terms.currency) : charged.amount;
  const spend = billed.feeAmount + usage;
  if (spend >= minimum.amount) return null;
  return {
    kind: 'minimum_spend_true_up',
    description: `Minimum spend ${minimum.amount} for ${day(period.start)} to ${day(period.end)}: spent ${spend}, true-up ${minimum.amount - spend}`,
    amount: minimum.amount - spend,
    quantity: 1,
    periodStart: period.start,
    periodEnd: period.end,
    sourceId: null,
  };
}

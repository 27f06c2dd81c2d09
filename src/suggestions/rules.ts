import { divideHalfUp } from '../kernel/money.ts';
import type { quotaPolicies } from '../../db/schema/index.ts';

/** The terms of a plan version that decide what a period costs. */
export interface CostTerms {
  planId: string;
  priceAmount: number;
  includedTokens: number;
  overagePricePer1k: number;
  quotaPolicy: (typeof quotaPolicies)[number];
}

/**
 * What one period of `usedTokens` costs on a plan, in minor units, as the billing pass bills it:
 * fee + round_half_up(max(0, used − included) × overage_price_per_1k / 1000) on the period's total.
 * Null when the plan cannot serve the usage: `block` with fewer included tokens than used.
 */
export function periodCost(terms: CostTerms, usedTokens: number): number | null {
  const over = Math.max(0, usedTokens - terms.includedTokens);
  if (terms.quotaPolicy === 'block') return over > 0 ? null : terms.priceAmount;
  return terms.priceAmount + Number(divideHalfUp(BigInt(over) * BigInt(terms.overagePricePer1k), 1000n));
}

/** The cost of each period on a plan and their total; null when any period cannot be served. */
export function costOver(terms: CostTerms, usage: readonly number[]): { perPeriod: number[]; total: number } | null {
  const perPeriod: number[] = [];
  for (const used of usage) {
    const cost = periodCost(terms, used);
    if (cost === null) return null;
    perPeriod.push(cost);
  }
  return { perPeriod, total: perPeriod.reduce((s, c) => s + c, 0) };
}

/**
 * The candidate that would have cost least over `usage` (one entry per period), if it costs
 * less than `currentTotal`; the lower plan id on a tie, so the answer is stable.
 */
export function cheapestPlan<T extends CostTerms>(candidates: readonly T[], usage: readonly number[], currentTotal: number): { plan: T; perPeriod: number[]; total: number } | null {
  let best: { plan: T; perPeriod: number[]; total: number } | null = null;
  for (const plan of candidates) {
    const cost = costOver(plan, usage);
    if (!cost || cost.total >= currentTotal) continue;
    if (!best || cost.total < best.total || (cost.total === best.total && plan.planId < best.plan.planId)) best = { plan, ...cost };
  }
  return best;
}

/** The saving as basis points of the current cost, rounded half-up; 0 when nothing was spent. */
export const savingBps = (saving: number, current: number) => (current > 0 ? Number(divideHalfUp(BigInt(saving) * 10_000n, BigInt(current))) : 0);

import { add, type Money, multiplyRatio, negate } from '../kernel/money.ts';
import { DomainError } from '../kernel/errors.ts';
import type { adjustmentKinds } from '../../db/schema/index.ts';

/**
 * Proration of a plan change in the middle of a period [start, end), at time `at`:
 *
 *   remaining_ms = end − at        period_ms = end − start
 *   credit = −round_half_up(old_price × remaining_ms / period_ms)   (the unused part of what was paid)
 *   charge = +round_half_up(new_price × remaining_ms / period_ms)   (the rest of the period on the new plan)
 *
 * in integer minor units over integer milliseconds (BigInt inside, half away from zero).
 * Each is rounded on its own and billed as its own invoice line, so a reader can
 * check both against the plan prices; the net is simply their sum. A line that comes
 * to zero (a change at the very end of a period) is left out.
 */
export interface PlanChange {
  oldPrice: Money;
  newPrice: Money;
  periodStart: number;
  periodEnd: number;
  changeAt: number;
}

export interface ProrationLine {
  kind: (typeof adjustmentKinds)[number];
  /** Signed as on the invoice: a credit is negative. */
  amount: Money;
  /** The stretch of the period the line covers: from the change to the period's end. */
  from: number;
  to: number;
}

export interface Proration {
  remainingMs: number;
  periodMs: number;
  /** ≤ 0: the unused part of the old price, given back. */
  credit: Money;
  /** ≥ 0: the remaining part of the new price. */
  charge: Money;
  /** charge + credit: positive on an upgrade, negative on a downgrade. */
  net: Money;
  /** The non-zero lines, credit first. */
  lines: ProrationLine[];
}

/** The credit and charge for changing from `oldPrice` to `newPrice` at `changeAt`. */
export function prorate(change: PlanChange): Proration {
  const { oldPrice, newPrice, periodStart, periodEnd, changeAt } = change;
  for (const [what, ms] of [['period start', periodStart], ['period end', periodEnd], ['change time', changeAt]] as const) {
    if (!Number.isSafeInteger(ms)) throw new RangeError(`${what} must be integer milliseconds, got ${ms}`);
  }
  if (periodEnd <= periodStart) throw new RangeError('a period must end after it starts');
  if (changeAt < periodStart || changeAt > periodEnd) throw new RangeError('a plan change must happen within the period it prorates');
  if (oldPrice.currency !== newPrice.currency) {
    throw new DomainError('conflict', `cannot prorate a change from ${oldPrice.currency} to ${newPrice.currency}`, { currencies: [oldPrice.currency, newPrice.currency] });
  }
  if (oldPrice.amount < 0 || newPrice.amount < 0) throw new RangeError('plan prices are not negative');

  const remainingMs = periodEnd - changeAt;
  const periodMs = periodEnd - periodStart;
  const credit = negate(multiplyRatio(oldPrice, remainingMs, periodMs));
  const charge = multiplyRatio(newPrice, remainingMs, periodMs);
  const line = (kind: ProrationLine['kind'], amount: Money): ProrationLine => ({ kind, amount, from: changeAt, to: periodEnd });
  const lines = [line('proration_credit', credit), line('proration_charge', charge)].filter((l) => l.amount.amount !== 0);
  return { remainingMs, periodMs, credit, charge, net: add(charge, credit), lines };
}

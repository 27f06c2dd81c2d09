import type { FieldIssue } from '../kernel/errors.ts';
import { divideHalfUp } from '../kernel/money.ts';
import type { couponDurations } from '../../db/schema/index.ts';

type CouponDuration = (typeof couponDurations)[number];

/** What a coupon takes off: a percentage in basis points, or a fixed amount of minor units. */
export interface CouponValue {
  percentOffBps: number | null;
  amountOff: number | null;
}

/**
 * The discount on `eligible` minor units (the sum of the invoice's lines above the discount line):
 *   percent: round_half_up(eligible × bps / 10,000)  (half away from zero, exact integers)
 *   fixed:   min(amount_off, eligible)
 * Never more than `eligible` and never below 0, so a discount never makes an invoice negative.
 * Returned as a positive amount; the invoice line carries it negated.
 */
export function discountAmount(coupon: CouponValue, eligible: number): number {
  if (!Number.isSafeInteger(eligible)) throw new RangeError(`eligible must be whole minor units, got ${eligible}`);
  if (eligible <= 0) return 0;
  if (coupon.percentOffBps !== null) return Math.min(eligible, Number(divideHalfUp(BigInt(eligible) * BigInt(coupon.percentOffBps), 10_000n)));
  return Math.min(coupon.amountOff ?? 0, eligible);
}

/** How many billing periods a coupon discounts: once 1, repeating N, forever without end (null). */
export function periodLimit(duration: CouponDuration, durationPeriods: number | null): number | null {
  if (duration === 'once') return 1;
  if (duration === 'repeating') return durationPeriods;
  return null;
}

/** The terms of a new coupon as asked for, before the cross-field rules. */
export interface CouponTerms {
  percent_off_bps?: number | undefined;
  amount_off?: number | undefined;
  currency?: string | undefined;
  duration: CouponDuration;
  duration_periods?: number | undefined;
  redeem_by?: string | undefined;
}

/** The rules across fields of a new coupon, each failure naming its field; `now` for `redeem_by`. */
export function couponTermsIssues(terms: CouponTerms, now: number): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const percent = terms.percent_off_bps !== undefined;
  const fixed = terms.amount_off !== undefined;
  if (percent === fixed) issues.push({ field: percent ? 'amount_off' : 'percent_off_bps', message: 'give exactly one of percent_off_bps or amount_off' });
  if (fixed && terms.currency === undefined) issues.push({ field: 'currency', message: 'is required with amount_off' });
  if (!fixed && terms.currency !== undefined) issues.push({ field: 'currency', message: 'is only for amount_off' });
  if (terms.duration === 'repeating' && terms.duration_periods === undefined) issues.push({ field: 'duration_periods', message: 'is required when duration is repeating' });
  if (terms.duration !== 'repeating' && terms.duration_periods !== undefined) issues.push({ field: 'duration_periods', message: 'is only for duration repeating' });
  if (terms.redeem_by !== undefined && Date.parse(terms.redeem_by) <= now) issues.push({ field: 'redeem_by', message: 'must be in the future' });
  return issues;
}

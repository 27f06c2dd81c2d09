import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { couponDurations, couponStatuses, discountStatuses } from '../../db/schema/index.ts';
import { currencyCode } from '../kernel/currency.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { MAX_AMOUNT, planId } from '../plans/contract.ts';
import { oneOf } from '../kernel/one-of.ts';

/** A coupon code as customers type it: letters and digits, any case on the way in, upper case after. */
// Checked as sent, then upper-cased: the pattern the API document shows is exactly what is accepted.
export const couponCode = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1 to 64 letters, digits, - or _, starting with a letter or digit (e.g. WELCOME20)'),
  v.toUpperCase(),
);

const whole = (what: string, min: number, max: number) =>
  v.pipe(v.number(`must be a whole number of ${what}`), v.safeInteger(`must be a whole number of ${what}`), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));

export const couponId = v.pipe(v.string(), v.regex(/^cpn_[0-9A-Z]{26}$/, 'must be a coupon id (cpn_…)'));
export const couponParams = v.object({ id: couponId });

export const createCouponInput = v.strictObject({
  code: couponCode,
  name: v.pipe(v.string(), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(200, 'must be at most 200 characters')),
  /** 1 (0.01 %) to 10,000 (100 %); or `amount_off` with `currency`. */
  percent_off_bps: v.optional(whole('basis points', 1, 10_000)),
  amount_off: v.optional(whole('minor units', 1, MAX_AMOUNT)),
  currency: v.optional(currencyCode),
  duration: oneOf(couponDurations),
  duration_periods: v.optional(whole('billing periods', 1, 1200)),
  applies_to_plans: v.optional(
    v.pipe(
      v.array(planId),
      v.minLength(1, 'must name at least one plan (leave it out for every plan)'),
      v.maxLength(100, 'must name at most 100 plans'),
      v.check((list) => new Set(list).size === list.length, 'must not name a plan twice'),
      v.metadata({ uniqueItems: true }),
    ),
  ),
  max_redemptions: v.optional(whole('redemptions', 1, 1_000_000_000)),
  redeem_by: v.optional(realTimestamp()),
});
export type CreateCouponInput = v.InferOutput<typeof createCouponInput>;

export const listCouponsQuery = v.object({
  ...pageQuery,
  status: v.optional(oneOf(couponStatuses)),
  code: v.optional(couponCode),
});
export type ListCouponsQuery = v.InferOutput<typeof listCouponsQuery>;

export const applyDiscountInput = v.strictObject({ coupon: couponCode });
export type ApplyDiscountInput = v.InferOutput<typeof applyDiscountInput>;

const money = v.object({ amount: v.number(), currency: v.string() });

export const couponResource = v.object({
  id: v.string(),
  object: v.literal('coupon'),
  code: v.string(),
  name: v.string(),
  percent_off_bps: v.nullable(v.number()),
  amount_off: v.nullable(money),
  duration: v.picklist(couponDurations),
  duration_periods: v.nullable(v.number()),
  applies_to_plans: v.nullable(v.array(v.string())),
  max_redemptions: v.nullable(v.number()),
  times_redeemed: v.number(),
  redeem_by: v.nullable(v.string()),
  status: v.picklist(couponStatuses),
  created_at: v.string(),
  updated_at: v.string(),
  archived_at: v.nullable(v.string()),
});
export type CouponResource = v.InferOutput<typeof couponResource>;

export const discountResource = v.object({
  id: v.string(),
  object: v.literal('discount'),
  subscription_id: v.string(),
  customer_id: v.string(),
  coupon: couponResource,
  status: v.picklist(discountStatuses),
  /** Billing periods discounted so far. */
  periods_applied: v.number(),
  /** Periods still to discount; null for `forever`. */
  periods_remaining: v.nullable(v.number()),
  created_at: v.string(),
  ended_at: v.nullable(v.string()),
  removed_at: v.nullable(v.string()),
});
export type DiscountResource = v.InferOutput<typeof discountResource>;

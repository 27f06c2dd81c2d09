import * as v from 'valibot';
import { couponDurations, couponStatuses, discountStatuses } from '../../db/schema/index.ts';
import { iso, money, whole } from '../events/shapes.ts';

/** A coupon inside events: a percentage in basis points or a fixed amount, and its limits. */
const couponSnapshot = v.object({
  id: v.string(),
  code: v.string(),
  name: v.string(),
  percent_off_bps: v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(10_000))),
  amount_off: v.nullable(money),
  duration: v.picklist(couponDurations),
  duration_periods: v.nullable(whole),
  applies_to_plans: v.nullable(v.array(v.string())),
  max_redemptions: v.nullable(whole),
  times_redeemed: whole,
  redeem_by: v.nullable(iso),
  status: v.picklist(couponStatuses),
});

/** A coupon redeemed on a subscription; `periods_remaining` is null for `forever`. */
const discountSnapshot = v.object({
  id: v.string(),
  subscription_id: v.string(),
  customer_id: v.string(),
  coupon_id: v.string(),
  coupon_code: v.string(),
  status: v.picklist(discountStatuses),
  periods_applied: whole,
  periods_remaining: v.nullable(whole),
});

/** Coupons (subject: the coupon) and the discounts they give (subject: the subscription). */
export const couponEvents = {
  'coupon.created': v.object({ coupon: couponSnapshot }),
  /** No new redemptions; discounts already applied keep running. */
  'coupon.archived': v.object({ coupon: couponSnapshot }),
  /** A coupon was redeemed on a subscription; subject: the subscription. */
  'discount.applied': v.object({ discount: discountSnapshot, coupon: couponSnapshot }),
  /** Taken off by a caller before it ran out; subject: the subscription. */
  'discount.removed': v.object({ discount: discountSnapshot }),
  /** A `once` or `repeating` discount discounted its last period; `invoice_id` is that invoice. */
  'discount.ended': v.object({ discount: discountSnapshot, invoice_id: v.string() }),
} as const;

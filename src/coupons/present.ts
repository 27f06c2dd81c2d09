import type { InferSelectModel } from 'drizzle-orm';
import type { coupons, subscriptionDiscounts } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { CouponResource, DiscountResource } from './contract.ts';
import { periodLimit } from './rules.ts';

export type CouponRow = InferSelectModel<typeof coupons>;
export type DiscountRow = InferSelectModel<typeof subscriptionDiscounts>;

/** The API shape of a coupon; the same object is carried inside coupon and discount events. */
export function toCouponResource(row: CouponRow): CouponResource {
  return {
    id: row.id,
    object: 'coupon',
    code: row.code,
    name: row.name,
    percent_off_bps: row.percentOffBps,
    amount_off: row.amountOff === null ? null : { amount: row.amountOff, currency: row.currency! },
    duration: row.duration,
    duration_periods: row.durationPeriods,
    applies_to_plans: row.appliesToPlans,
    max_redemptions: row.maxRedemptions,
    times_redeemed: row.timesRedeemed,
    redeem_by: toIsoOrNull(row.redeemBy),
    status: row.status,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    archived_at: toIsoOrNull(row.archivedAt),
  };
}

/** The API shape of a discount, with its coupon. */
export function toDiscountResource(row: DiscountRow, coupon: CouponRow): DiscountResource {
  const limit = periodLimit(coupon.duration, coupon.durationPeriods);
  return {
    id: row.id,
    object: 'discount',
    subscription_id: row.subscriptionId,
    customer_id: row.customerId,
    coupon: toCouponResource(coupon),
    status: row.status,
    periods_applied: row.periodsApplied,
    periods_remaining: limit === null ? null : Math.max(0, limit - row.periodsApplied),
    created_at: toIso(row.createdAt),
    ended_at: toIsoOrNull(row.endedAt),
    removed_at: toIsoOrNull(row.removedAt),
  };
}

/** A coupon as carried inside events. */
export function toCouponSnapshot(row: CouponRow): EventData<'coupon.created'>['coupon'] {
  const { object: _object, created_at: _created, updated_at: _updated, archived_at: _archived, ...snapshot } = toCouponResource(row);
  return snapshot;
}

/** A discount as carried inside events. */
export function toDiscountSnapshot(row: DiscountRow, coupon: CouponRow): EventData<'discount.applied'>['discount'] {
  const limit = periodLimit(coupon.duration, coupon.durationPeriods);
  return {
    id: row.id,
    subscription_id: row.subscriptionId,
    customer_id: row.customerId,
    coupon_id: coupon.id,
    coupon_code: coupon.code,
    status: row.status,
    periods_applied: row.periodsApplied,
    periods_remaining: limit === null ? null : Math.max(0, limit - row.periodsApplied),
  };
}

import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { coupons, subscriptionDiscounts, subscriptions } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { DomainError, notFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { toCouponSnapshot, toDiscountResource, toDiscountSnapshot, type CouponRow } from './present.ts';

/** What a redemption needs of the subscription (its row, read by the caller). */
export interface DiscountTarget {
  id: string;
  customerId: string;
  planId: string;
  planVersion: number;
  /** The currency it bills in (null: older than multi-currency, its plan version's default). */
  currency: string | null;
}

/** Why a coupon cannot be redeemed; each is a 409 naming the field. */
export type RedemptionRefusal = 'archived' | 'expired' | 'redemption_limit_reached' | 'plan_not_covered' | 'currency_mismatch' | 'already_discounted';

const refuse = (reason: RedemptionRefusal, message: string, field: string) =>
  new DomainError('conflict', message, { reason, field, issues: [{ field, message }] });

/**
 * Redeems the coupon `code` on a subscription, in the caller's transaction, and
 * returns the new active discount. Refused (naming `field`): an unknown code (400),
 * an archived coupon, one past `redeem_by` by the clock, one at `max_redemptions`,
 * a plan the coupon does not cover, a fixed amount in another currency than the
 * plan's, a subscription that already has an active discount (409 each).
 * The count is taken by one conditional UPDATE, so parallel redemptions of the last
 * one let exactly one through. Emits `discount.applied`.
 */
export async function redeemCoupon(ctx: TxCtx, target: DiscountTarget, code: string, field = 'coupon') {
  const [coupon] = await ctx.tx.select().from(coupons).where(eq(coupons.code, code));
  if (!coupon) throw new DomainError('validation', `${field}: ${code} is not a coupon`, { issues: [{ field, message: `${code} is not a coupon` }] });
  const now = ctx.clock.now();
  checkRedeemable(coupon, now, field);
  if (coupon.appliesToPlans !== null && !coupon.appliesToPlans.includes(target.planId)) {
    throw refuse('plan_not_covered', `coupon ${code} does not apply to plan ${target.planId}`, field);
  }
  if (coupon.amountOff !== null) {
    const terms = await loadPlanVersion(ctx.tx, target.planId, target.planVersion, target.currency);
    if (terms.currency !== coupon.currency) {
      throw refuse('currency_mismatch', `coupon ${code} takes off ${coupon.currency}; the subscription bills in ${terms.currency}`, field);
    }
  }
  const [existing] = await ctx.tx
    .select({ id: subscriptionDiscounts.id })
    .from(subscriptionDiscounts)
    .where(and(eq(subscriptionDiscounts.subscriptionId, target.id), eq(subscriptionDiscounts.status, 'active')));
  if (existing) throw refuse('already_discounted', `subscription ${target.id} already has a discount (${existing.id}); remove it first`, field);

  // The count and the checks in one statement: of parallel redemptions of the last one, exactly one updates a row.
  const [counted] = await ctx.tx
    .update(coupons)
    .set({ timesRedeemed: sql`${coupons.timesRedeemed} + 1`, updatedAt: now })
    .where(
      and(
        eq(coupons.id, coupon.id),
        eq(coupons.status, 'active'),
        or(isNull(coupons.redeemBy), sql`${coupons.redeemBy} > ${now}`),
        or(isNull(coupons.maxRedemptions), lt(coupons.timesRedeemed, coupons.maxRedemptions)),
      ),
    )
    .returning();
  if (!counted) {
    const [latest] = await ctx.tx.select().from(coupons).where(eq(coupons.id, coupon.id));
    checkRedeemable(latest!, now, field);
    throw refuse('redemption_limit_reached', `coupon ${code} has been redeemed ${latest!.timesRedeemed} times, its limit`, field);
  }

  const [row] = await ctx.tx
    .insert(subscriptionDiscounts)
    .values({
      id: newId('dsc', now),
      subscriptionId: target.id,
      customerId: target.customerId,
      couponId: counted.id,
      status: 'active',
      periodsApplied: 0,
      lastPeriodStart: null,
      endedAt: null,
      removedAt: null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const discount = row!;
  await emit(ctx, [{ type: 'discount.applied', subject: target.id, data: { discount: toDiscountSnapshot(discount, counted), coupon: toCouponSnapshot(counted) } }]);
  await recordAudit(ctx, { action: 'discount.apply', targetType: 'subscription', targetId: target.id, data: { coupon_id: counted.id, code: counted.code, discount_id: discount.id } });
  return toDiscountResource(discount, counted);
}

/** Refuses an archived, expired or used-up coupon. */
function checkRedeemable(coupon: CouponRow, now: number, field: string): void {
  if (coupon.status !== 'active') throw refuse('archived', `coupon ${coupon.code} is archived`, field);
  if (coupon.redeemBy !== null && now >= coupon.redeemBy) throw refuse('expired', `coupon ${coupon.code} could be redeemed until ${new Date(coupon.redeemBy).toISOString()}`, field);
  if (coupon.maxRedemptions !== null && coupon.timesRedeemed >= coupon.maxRedemptions) {
    throw refuse('redemption_limit_reached', `coupon ${coupon.code} has been redeemed ${coupon.timesRedeemed} times, its limit`, field);
  }
}

/** Redeems a coupon on an existing subscription (the route's verb); a canceled subscription is refused. */
export function applyDiscount(outer: Ctx, subscriptionId: string, code: string) {
  return withTransaction(outer, async (outer) => {
    // Read here, not with subscriptions' loadSubscription: subscriptions imports coupons (redeeming at create).
    const [sub] = await outer.tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
    if (!sub) throw notFound('Subscription', subscriptionId);
    // A sandbox customer redeems (and a coupon expires) at its test clock's time.
    const ctx = await onCustomerClock(outer, sub.customerId);
    if (sub.status === 'canceled') throw new DomainError('conflict', `subscription ${sub.id} is canceled`, { field: 'coupon', subscription_status: sub.status });
    return redeemCoupon(ctx, sub, code);
  });
}

import { eq } from 'drizzle-orm';
import { coupons } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { CreateCouponInput } from './contract.ts';
import { toCouponResource, toCouponSnapshot } from './present.ts';
import { couponTermsIssues } from './rules.ts';

/** Creates an active coupon; its code is unique for good. Emits `coupon.created`. */
export function createCoupon(ctx: Ctx, input: CreateCouponInput) {
  return withTransaction(ctx, async (ctx) => {
    const now = ctx.clock.now();
    const issues = couponTermsIssues(input, now);
    if (issues.length > 0) throw validationError(issues);
    const [taken] = await ctx.tx.select({ id: coupons.id }).from(coupons).where(eq(coupons.code, input.code));
    if (taken) throw conflict(`a coupon with code ${input.code} already exists`, { field: 'code', existing_id: taken.id });

    const [row] = await ctx.tx
      .insert(coupons)
      .values({
        id: newId('cpn', now),
        code: input.code,
        name: input.name,
        percentOffBps: input.percent_off_bps ?? null,
        amountOff: input.amount_off ?? null,
        currency: input.currency ?? null,
        duration: input.duration,
        durationPeriods: input.duration_periods ?? null,
        appliesToPlans: input.applies_to_plans ?? null,
        maxRedemptions: input.max_redemptions ?? null,
        timesRedeemed: 0,
        redeemBy: input.redeem_by === undefined ? null : Date.parse(input.redeem_by),
        status: 'active',
        archivedAt: null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const coupon = row!;
    await emit(ctx, [{ type: 'coupon.created', subject: coupon.id, data: { coupon: toCouponSnapshot(coupon) } }]);
    await recordAudit(ctx, { action: 'coupon.create', targetType: 'coupon', targetId: coupon.id, data: { code: coupon.code } });
    return toCouponResource(coupon);
  });
}

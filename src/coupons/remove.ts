import { onSubscriptionClock } from '../customers/clock.ts';
import { and, eq } from 'drizzle-orm';
import { coupons, subscriptionDiscounts } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { notFound } from '../kernel/errors.ts';
import { toDiscountResource, toDiscountSnapshot } from './present.ts';

/**
 * Takes the active discount off a subscription: invoices drafted from now on are at
 * full price (the redemption still counts against the coupon's limit). Emits `discount.removed`.
 */
export function removeDiscount(ctx: Ctx, subscriptionId: string) {
  return withTransaction(ctx, async (outer) => {
    // A sandbox customer's discount comes off at its test clock's time.
    const ctx = await onSubscriptionClock(outer, subscriptionId);
    const [found] = await ctx.tx
      .select({ discount: subscriptionDiscounts, coupon: coupons })
      .from(subscriptionDiscounts)
      .innerJoin(coupons, eq(coupons.id, subscriptionDiscounts.couponId))
      .where(and(eq(subscriptionDiscounts.subscriptionId, subscriptionId), eq(subscriptionDiscounts.status, 'active')));
    if (!found) throw notFound('Active discount of subscription', subscriptionId);
    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .update(subscriptionDiscounts)
      .set({ status: 'removed', removedAt: now, updatedAt: now })
      .where(eq(subscriptionDiscounts.id, found.discount.id))
      .returning();
    await emit(ctx, [{ type: 'discount.removed', subject: subscriptionId, data: { discount: toDiscountSnapshot(row!, found.coupon) } }]);
    await recordAudit(ctx, { action: 'discount.remove', targetType: 'subscription', targetId: subscriptionId, data: { discount_id: row!.id, coupon_id: found.coupon.id } });
    return toDiscountResource(row!, found.coupon);
  });
}

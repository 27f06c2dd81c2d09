import { desc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { coupons, subscriptionDiscounts } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import type { ListCouponsQuery } from './contract.ts';
import { loadCoupon } from './load.ts';
import { toCouponResource, toDiscountResource } from './present.ts';

/** One coupon. */
export async function getCoupon(db: Executor, id: string) {
  return toCouponResource(await loadCoupon(db, id));
}

/** Coupons, newest first, filtered by status or code, one keyset page at a time. */
export function listCoupons(db: Executor, query: ListCouponsQuery) {
  const where = [filterBy(coupons.status, query.status), filterBy(coupons.code, query.code)];
  return listPage(db.select().from(coupons).$dynamic(), query, { key: coupons.id, keyOf: (r) => r.id, where, present: (rows) => rows.map(toCouponResource) });
}

/** The active discount of a subscription, or its latest one when none is active; 404 when it never had one. */
export async function getSubscriptionDiscount(db: Executor, subscriptionId: string) {
  const [active] = await db
    .select({ discount: subscriptionDiscounts, coupon: coupons })
    .from(subscriptionDiscounts)
    .innerJoin(coupons, eq(coupons.id, subscriptionDiscounts.couponId))
    .where(eq(subscriptionDiscounts.subscriptionId, subscriptionId))
    .orderBy(desc(subscriptionDiscounts.id))
    .limit(1);
  if (!active) throw notFound('Discount of subscription', subscriptionId);
  return toDiscountResource(active.discount, active.coupon);
}

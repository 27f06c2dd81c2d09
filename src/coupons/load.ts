import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { coupons } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import type { CouponRow } from './present.ts';

/** Reads a coupon by id or fails with not_found. */
export async function loadCoupon(db: Executor, id: string): Promise<CouponRow> {
  const [row] = await db.select().from(coupons).where(eq(coupons.id, id));
  if (!row) throw notFound('Coupon', id);
  return row;
}

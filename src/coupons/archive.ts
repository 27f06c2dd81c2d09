import { eq } from 'drizzle-orm';
import { coupons } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { loadCoupon } from './load.ts';
import { toCouponResource, toCouponSnapshot } from './present.ts';

/** active → archived: no new redemptions; discounts already applied keep running. Emits `coupon.archived`. */
export function archiveCoupon(ctx: Ctx, id: string) {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadCoupon(ctx.tx, id);
    if (current.status !== 'active') {
      throw new DomainError('invalid_transition', `cannot archive a coupon that is ${current.status}`, { current_status: current.status, transition: 'archive' });
    }
    const now = ctx.clock.now();
    const [row] = await ctx.tx.update(coupons).set({ status: 'archived', archivedAt: now, updatedAt: now }).where(eq(coupons.id, id)).returning();
    await emit(ctx, [{ type: 'coupon.archived', subject: id, data: { coupon: toCouponSnapshot(row!) } }]);
    await recordAudit(ctx, { action: 'coupon.archive', targetType: 'coupon', targetId: id });
    return toCouponResource(row!);
  });
}

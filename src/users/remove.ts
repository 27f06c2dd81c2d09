import { onClockOf } from '../customers/clock.ts';
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadLiveCustomer } from '../customers/load.ts';
import { toUserSnapshot } from '../customers/present.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { keepAnActiveOwner, loadUser } from './load.ts';
import { toUserResource } from './present.ts';

/** Removes a user; the last active owner cannot be removed. Emits `user.removed`. */
export function removeUser(ctx: Ctx, customerId: string, userId: string) {
  return withTransaction(ctx, async (outer) => {
    // A sandbox customer's people change at its test clock's time (src/customers/clock.ts).
    const ctx = await onClockOf(outer, await loadLiveCustomer(outer, customerId));
    const current = await loadUser(ctx, customerId, userId);
    await keepAnActiveOwner(ctx, current, 'a customer must keep one active owner: the last active owner cannot be removed');
    const [row] = await ctx.tx.update(users).set({ status: 'removed', updatedAt: ctx.clock.now() }).where(eq(users.id, userId)).returning();
    await emit(ctx, [{ type: 'user.removed', subject: customerId, data: { user: toUserSnapshot(row!) } }]);
    await recordAudit(ctx, { action: 'user.remove', targetType: 'user', targetId: userId, data: { customer_id: customerId } });
    return toUserResource(row!);
  });
}

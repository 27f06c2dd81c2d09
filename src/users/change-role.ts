import { onClockOf } from '../customers/clock.ts';
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadLiveCustomer } from '../customers/load.ts';
import { toUserSnapshot } from '../customers/present.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { keepAnActiveOwner, loadUser } from './load.ts';
import { toUserResource, type UserRow } from './present.ts';

/** Changes a user's role; the last active owner cannot stop being owner. Emits `user.role_changed`. */
export function changeUserRole(ctx: Ctx, customerId: string, userId: string, role: UserRow['role']) {
  return withTransaction(ctx, async (outer) => {
    // A sandbox customer's people change at its test clock's time (src/customers/clock.ts).
    const ctx = await onClockOf(outer, await loadLiveCustomer(outer, customerId));
    const current = await loadUser(ctx, customerId, userId);
    if (current.role === role) return toUserResource(current);
    await keepAnActiveOwner(ctx, current, 'a customer must keep one active owner: make another active user owner first', { field: 'role' });
    const [row] = await ctx.tx.update(users).set({ role, updatedAt: ctx.clock.now() }).where(eq(users.id, userId)).returning();
    await emit(ctx, [{ type: 'user.role_changed', subject: customerId, data: { user: toUserSnapshot(row!), from: current.role, to: role } }]);
    await recordAudit(ctx, { action: 'user.change_role', targetType: 'user', targetId: userId, data: { from: current.role, to: role } });
    return toUserResource(row!);
  });
}

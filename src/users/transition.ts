import { onClockOf } from '../customers/clock.ts';
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadLiveCustomer } from '../customers/load.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { nextUserStatus, type UserTransition } from './lifecycle.ts';
import { keepAnActiveOwner, loadUser } from './load.ts';
import { toUserSnapshot } from '../customers/present.ts';
import { toUserResource } from './present.ts';

/** Moves a user to the status a transition leads to, or refuses with invalid_transition. */
function changeUserStatus(ctx: Ctx, customerId: string, userId: string, transition: UserTransition, type: 'user.activated' | 'user.deactivated') {
  return withTransaction(ctx, async (outer) => {
    // A sandbox customer's people change at its test clock's time (src/customers/clock.ts).
    const ctx = await onClockOf(outer, await loadLiveCustomer(outer, customerId));
    // Removed users are loaded too: removed is a status a transition cannot leave (409), not an unknown user.
    const current = await loadUser(ctx, customerId, userId, { removed: true });
    const status = nextUserStatus(current.status, transition);
    if (!status) {
      throw new DomainError('invalid_transition', `cannot ${transition} a user that is ${current.status}`, { current_status: current.status, transition });
    }
    if (transition === 'deactivate') await keepAnActiveOwner(ctx, current, 'a customer must keep one active owner: the last active owner cannot be deactivated');
    const [row] = await ctx.tx.update(users).set({ status, updatedAt: ctx.clock.now() }).where(eq(users.id, userId)).returning();
    await emit(ctx, [{ type, subject: customerId, data: { user: toUserSnapshot(row!), previous_status: current.status } }]);
    await recordAudit(ctx, { action: `user.${transition}`, targetType: 'user', targetId: userId, data: { customer_id: customerId, from: current.status, to: status } });
    return toUserResource(row!);
  });
}

/** invited|deactivated → active. Emits `user.activated`. */
export const activateUser = (ctx: Ctx, customerId: string, userId: string) => changeUserStatus(ctx, customerId, userId, 'activate', 'user.activated');

/** active → deactivated; the last active owner cannot be deactivated (409). Emits `user.deactivated`. */
export const deactivateUser = (ctx: Ctx, customerId: string, userId: string) => changeUserStatus(ctx, customerId, userId, 'deactivate', 'user.deactivated');

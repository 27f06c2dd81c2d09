import { and, eq, ne } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { keepAnActiveOwner, loadLiveCustomer, loadUser } from './load.ts';
import { toUserResource, toUserSnapshot, type UserRow } from './present.ts';
import type { AddUserInput } from './schema.ts';

/** Adds a user to a customer, invited (default) or active. Emits `user.invited` or `user.created`. */
export function addUser(ctx: Ctx, customerId: string, input: AddUserInput) {
  return withTransaction(ctx, async (ctx) => {
    await loadLiveCustomer(ctx, customerId);
    const [taken] = await ctx.tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.customerId, customerId), eq(users.email, input.email), ne(users.status, 'removed')));
    if (taken) throw conflict(`${input.email} is already a user of this customer`, { field: 'email', existing_id: taken.id });
    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .insert(users)
      .values({
        id: newId('usr', now),
        customerId,
        email: input.email,
        name: input.name ?? null,
        role: input.role,
        status: input.invite ? 'invited' : 'active',
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const user = toUserSnapshot(row!);
    await emit(ctx, [input.invite ? { type: 'user.invited', subject: customerId, data: { user } } : { type: 'user.created', subject: customerId, data: { user } }]);
    await recordAudit(ctx, { action: input.invite ? 'user.invite' : 'user.create', targetType: 'user', targetId: row!.id, data: { customer_id: customerId, role: input.role } });
    return toUserResource(row!);
  });
}

/** Changes a user's role; the last active owner cannot stop being owner. Emits `user.role_changed`. */
export function changeUserRole(ctx: Ctx, customerId: string, userId: string, role: UserRow['role']) {
  return withTransaction(ctx, async (ctx) => {
    await loadLiveCustomer(ctx, customerId);
    const current = await loadUser(ctx, customerId, userId);
    if (current.role === role) return toUserResource(current);
    await keepAnActiveOwner(ctx, current, 'a customer must keep one active owner: make another active user owner first', { field: 'role' });
    const [row] = await ctx.tx.update(users).set({ role, updatedAt: ctx.clock.now() }).where(eq(users.id, userId)).returning();
    await emit(ctx, [{ type: 'user.role_changed', subject: customerId, data: { user: toUserSnapshot(row!), from: current.role, to: role } }]);
    await recordAudit(ctx, { action: 'user.change_role', targetType: 'user', targetId: userId, data: { from: current.role, to: role } });
    return toUserResource(row!);
  });
}

/** Removes a user; the last active owner cannot be removed. Emits `user.removed`. */
export function removeUser(ctx: Ctx, customerId: string, userId: string) {
  return withTransaction(ctx, async (ctx) => {
    await loadLiveCustomer(ctx, customerId);
    const current = await loadUser(ctx, customerId, userId);
    await keepAnActiveOwner(ctx, current, 'a customer must keep one active owner: the last active owner cannot be removed');
    const [row] = await ctx.tx.update(users).set({ status: 'removed', updatedAt: ctx.clock.now() }).where(eq(users.id, userId)).returning();
    await emit(ctx, [{ type: 'user.removed', subject: customerId, data: { user: toUserSnapshot(row!) } }]);
    await recordAudit(ctx, { action: 'user.remove', targetType: 'user', targetId: userId, data: { customer_id: customerId } });
    return toUserResource(row!);
  });
}

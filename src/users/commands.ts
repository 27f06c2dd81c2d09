import { and, count, eq, ne } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadCustomer } from '../customers/load.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { conflict, DomainError, notFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { toUserResource, toUserSnapshot, type UserRow } from './present.ts';
import type { AddUserInput } from './schema.ts';

async function liveCustomer(ctx: TxCtx, customerId: string) {
  const customer = await loadCustomer(ctx.tx, customerId);
  if (customer.status === 'erased') throw new DomainError('invalid_transition', `customer ${customerId} is erased`, { current_status: customer.status });
  return customer;
}

async function loadUser(ctx: TxCtx, customerId: string, userId: string): Promise<UserRow> {
  const [row] = await ctx.tx.select().from(users).where(and(eq(users.id, userId), eq(users.customerId, customerId), ne(users.status, 'removed')));
  if (!row) throw notFound('User', userId);
  return row;
}

async function otherOwners(ctx: TxCtx, customerId: string, userId: string): Promise<number> {
  const [row] = await ctx.tx
    .select({ n: count() })
    .from(users)
    // An invited owner who never accepted cannot stand in for the customer: only active owners count.
    .where(and(eq(users.customerId, customerId), eq(users.role, 'owner'), eq(users.status, 'active'), ne(users.id, userId)));
  return row?.n ?? 0;
}

/** Adds a user to a customer, invited (default) or active. Emits `user.invited` or `user.created`. */
export function addUser(ctx: Ctx, customerId: string, input: AddUserInput) {
  return withTransaction(ctx, async (ctx) => {
    await liveCustomer(ctx, customerId);
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

/** Changes a user's role; the last owner cannot stop being owner. Emits `user.role_changed`. */
export function changeUserRole(ctx: Ctx, customerId: string, userId: string, role: UserRow['role']) {
  return withTransaction(ctx, async (ctx) => {
    await liveCustomer(ctx, customerId);
    const current = await loadUser(ctx, customerId, userId);
    if (current.role === role) return toUserResource(current);
    if (current.role === 'owner' && (await otherOwners(ctx, customerId, userId)) === 0) {
      throw conflict('a customer must keep one owner: make another user owner first', { field: 'role' });
    }
    const [row] = await ctx.tx.update(users).set({ role, updatedAt: ctx.clock.now() }).where(eq(users.id, userId)).returning();
    await emit(ctx, [{ type: 'user.role_changed', subject: customerId, data: { user: toUserSnapshot(row!), from: current.role, to: role } }]);
    await recordAudit(ctx, { action: 'user.change_role', targetType: 'user', targetId: userId, data: { from: current.role, to: role } });
    return toUserResource(row!);
  });
}

/** Removes a user; the last owner cannot be removed. Emits `user.removed`. */
export function removeUser(ctx: Ctx, customerId: string, userId: string) {
  return withTransaction(ctx, async (ctx) => {
    await liveCustomer(ctx, customerId);
    const current = await loadUser(ctx, customerId, userId);
    if (current.role === 'owner' && (await otherOwners(ctx, customerId, userId)) === 0) {
      throw conflict('a customer must keep one owner: the last owner cannot be removed');
    }
    const [row] = await ctx.tx.update(users).set({ status: 'removed', updatedAt: ctx.clock.now() }).where(eq(users.id, userId)).returning();
    await emit(ctx, [{ type: 'user.removed', subject: customerId, data: { user: toUserSnapshot(row!) } }]);
    await recordAudit(ctx, { action: 'user.remove', targetType: 'user', targetId: userId, data: { customer_id: customerId } });
    return toUserResource(row!);
  });
}

import { and, count, eq, ne } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { conflict, notFound } from '../kernel/errors.ts';
import { isActiveOwner } from './lifecycle.ts';
import type { UserRow } from './present.ts';

/** A user of this customer; removed users are not_found unless `removed: true` asks for them too. */
export async function loadUser(ctx: TxCtx, customerId: string, userId: string, options: { removed?: boolean } = {}): Promise<UserRow> {
  const [row] = await ctx.tx
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.customerId, customerId), options.removed ? undefined : ne(users.status, 'removed')));
  if (!row) throw notFound('User', userId);
  return row;
}

/**
 * Refuses (409) a change that would take `user` out of the customer's active owners
 * when no other active owner is left: a customer always keeps one owner who can act.
 */
export async function keepAnActiveOwner(ctx: TxCtx, user: UserRow, message: string, details: Record<string, unknown> = {}): Promise<void> {
  if (!isActiveOwner(user)) return;
  const [row] = await ctx.tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.customerId, user.customerId), eq(users.role, 'owner'), eq(users.status, 'active'), ne(users.id, user.id)));
  if ((row?.n ?? 0) === 0) throw conflict(message, details);
}

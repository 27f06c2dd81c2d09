import { onClockOf } from '../customers/clock.ts';
import { and, eq, ne } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadLiveCustomer } from '../customers/load.ts';
import { toUserSnapshot } from '../customers/present.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { toUserResource } from './present.ts';
import type { AddUserInput } from './contract.ts';

/** Adds a user to a customer, invited (default) or active. Emits `user.invited` or `user.created`. */
export function addUser(ctx: Ctx, customerId: string, input: AddUserInput) {
  return withTransaction(ctx, async (outer) => {
    // A sandbox customer's people change at its test clock's time (src/customers/clock.ts).
    const ctx = await onClockOf(outer, await loadLiveCustomer(outer, customerId));
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

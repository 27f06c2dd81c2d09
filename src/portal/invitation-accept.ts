import { and, eq, isNotNull, ne } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict, validationError } from '../kernel/errors.ts';
import { hashPassword } from '../kernel/password.ts';
import { checkPassword } from '../operators/password-policy.ts';
import { activateUser } from '../users/transition.ts';
import { peekOneTimeToken, useOneTimeToken } from './one-time-tokens.ts';

/** An acceptance with its password checked against the invited email and hashed: done before the transaction. */
export interface PreparedAcceptance {
  token: string;
  passwordHash: string;
}

/** Checks the invitation token (without using it) and the password, and hashes the password. */
export async function prepareAcceptance(ctx: Ctx, input: { token: string; password: string }): Promise<PreparedAcceptance> {
  const userId = await peekOneTimeToken(ctx, 'invitation', input.token);
  const [user] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  checkPassword(input.password, user?.email ?? '');
  return { token: input.token, passwordHash: await hashPassword(input.password, ctx.settings.passwords.iterations) };
}

/**
 * Accepts an invitation once: the invited user gets the password, its address counts as
 * verified (the code came by email), and it becomes active through the users' own
 * transition (`user.activated`). 409 naming `email` when another account already signs in
 * with that address; 400 naming `token` when the user is no longer invited.
 */
export function acceptInvitation(ctx: Ctx, input: PreparedAcceptance) {
  return withTransaction(ctx, async (ctx) => {
    const userId = await useOneTimeToken(ctx, 'invitation', input.token);
    const [user] = await ctx.tx.select().from(users).where(eq(users.id, userId));
    if (!user || user.status !== 'invited' || !user.email) throw validationError([{ field: 'token', message: 'is not valid: the invitation was withdrawn or already accepted' }]);
    const [other] = await ctx.tx.select({ id: users.id }).from(users).where(and(eq(users.email, user.email), isNotNull(users.passwordHash), ne(users.status, 'removed')));
    if (other) throw conflict(`${user.email} already signs in to another account; ask the owner to invite another address`, { field: 'email' });
    const now = ctx.clock.now();
    await ctx.tx.update(users).set({ passwordHash: input.passwordHash, emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, userId));
    const activated = await activateUser(ctx, user.customerId, userId);
    await emit(ctx, [{ type: 'user.password_changed', subject: user.customerId, data: { user_id: userId, customer_id: user.customerId, reason: 'invitation' } }]);
    return { user_id: activated.id, customer_id: activated.customer_id, message: 'Welcome: your account is active. Log in with POST /v1/portal/login.' };
  });
}

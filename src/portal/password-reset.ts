import { eq, sql } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { hashPassword } from '../kernel/password.ts';
import { checkPassword } from '../operators/password-policy.ts';
import { queueAccountEmail } from './mail.ts';
import { endOneTimeTokens, peekOneTimeToken, useOneTimeToken } from './one-time-tokens.ts';
import { signInUserByEmail } from './sessions.ts';

/** The answer to every forgot-password request, whether or not the address has an account. */
export const FORGOT_ANSWER = { message: 'If an account uses this address, an email with a code to reset its password is on its way.' };

/**
 * Starts a password reset: for an active user who can sign in with this email, emits
 * `user.password_reset_requested` and queues an email with a single-use, expiring token
 * (PORTAL_RESET_TOKEN_MINUTES). The answer is the same for an unknown address.
 */
export function requestPasswordReset(ctx: Ctx, email: string) {
  return withTransaction(ctx, async (ctx) => {
    const row = await signInUserByEmail(ctx.tx, email);
    if (row && row.user.status === 'active' && row.customerStatus !== 'erased') {
      const { user } = row;
      const [eventId] = await emit(ctx, [{ type: 'user.password_reset_requested', subject: user.customerId, data: { user_id: user.id, customer_id: user.customerId } }]);
      await queueAccountEmail(ctx, { kind: 'password_reset', eventId: eventId!, user: { id: user.id, customerId: user.customerId, email: email, name: user.name }, ttlMs: ctx.settings.portal.resetTokenMs });
      await recordAudit(ctx, { action: 'user.password_reset_request', targetType: 'user', targetId: user.id, data: { customer_id: user.customerId } });
    }
    return FORGOT_ANSWER;
  });
}

/** A reset with its new password checked against the user's email and hashed: done before the transaction. */
export interface PreparedReset {
  token: string;
  passwordHash: string;
}

/** Checks the token (without using it) and the new password, and hashes the password (slow on purpose). */
export async function prepareReset(ctx: Ctx, input: { token: string; password: string }): Promise<PreparedReset> {
  const userId = await peekOneTimeToken(ctx, 'password_reset', input.token);
  const [user] = await ctx.db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  checkPassword(input.password, user?.email ?? '');
  return { token: input.token, passwordHash: await hashPassword(input.password, ctx.settings.passwords.iterations) };
}

/**
 * Sets a new password with a reset token, once: the token is used, every other reset token of
 * the user ends, and the user's token version goes up, which ends every portal token issued
 * before. Reading the emailed code also proves the address. Emits `user.password_changed`.
 */
export function resetPassword(ctx: Ctx, input: PreparedReset) {
  return withTransaction(ctx, async (ctx) => {
    const userId = await useOneTimeToken(ctx, 'password_reset', input.token);
    await endOneTimeTokens(ctx, 'password_reset', userId);
    const now = ctx.clock.now();
    const [user] = await ctx.tx
      .update(users)
      .set({ passwordHash: input.passwordHash, tokenVersion: sql`${users.tokenVersion} + 1`, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})`, updatedAt: now })
      .where(eq(users.id, userId))
      .returning();
    await emit(ctx, [{ type: 'user.password_changed', subject: user!.customerId, data: { user_id: userId, customer_id: user!.customerId, reason: 'reset' } }]);
    await recordAudit(ctx, { action: 'user.password_reset', targetType: 'user', targetId: userId, data: { customer_id: user!.customerId } });
    return { user_id: userId, customer_id: user!.customerId, message: 'Your password is changed; every earlier session has ended. Log in with the new password.' };
  });
}

import { eq } from 'drizzle-orm';
import { users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { useOneTimeToken } from './one-time-tokens.ts';

/** Confirms a user's email address with the code of the sign-up's verification email, once. Emits `user.email_verified`. */
export function verifyEmail(ctx: Ctx, token: string) {
  return withTransaction(ctx, async (ctx) => {
    const userId = await useOneTimeToken(ctx, 'email_verification', token);
    const now = ctx.clock.now();
    const [user] = await ctx.tx.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, userId)).returning();
    await emit(ctx, [{ type: 'user.email_verified', subject: user!.customerId, data: { user_id: userId, customer_id: user!.customerId } }]);
    await recordAudit(ctx, { action: 'user.email_verify', targetType: 'user', targetId: userId, data: { customer_id: user!.customerId } });
    return { user_id: userId, customer_id: user!.customerId, message: 'Your email address is confirmed.' };
  });
}

import { and, eq, inArray, isNotNull, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers, userRevokedTokens, users, userTokens, type userRoles } from '../../db/schema/index.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { UserTokenClaims } from './tokens.ts';

/** The portal user a verified token acts for, as stored now. */
export interface UserSession {
  userId: string;
  customerId: string;
  role: (typeof userRoles)[number];
  claims: UserTokenClaims;
}

/**
 * Who a verified portal token acts for: the user must still be active, able to sign in,
 * of a customer that is not erased, at the token's version (a password reset bumps it),
 * and the token not logged out. Throws `unauthorized` otherwise.
 */
export async function resolveUserSession(db: Executor, claims: UserTokenClaims): Promise<UserSession> {
  const [row] = await db
    .select({ id: users.id, customerId: users.customerId, role: users.role, status: users.status, tokenVersion: users.tokenVersion, customerStatus: customers.status, revoked: userRevokedTokens.jti })
    .from(users)
    .innerJoin(customers, eq(customers.id, users.customerId))
    .leftJoin(userRevokedTokens, eq(userRevokedTokens.jti, claims.jti))
    .where(and(eq(users.id, claims.userId), eq(users.customerId, claims.customerId), isNotNull(users.passwordHash)));
  if (!row || row.status !== 'active' || row.customerStatus === 'erased') throw new DomainError('unauthorized', 'the user of this token no longer has access');
  if (row.tokenVersion !== claims.tokenVersion) throw new DomainError('unauthorized', 'this token was ended by a password reset; log in again');
  if (row.revoked !== null) throw new DomainError('unauthorized', 'this token was logged out; log in again');
  return { userId: row.id, customerId: row.customerId, role: row.role, claims };
}

/** Ends one portal token (logout); the user's other tokens go on. Rows past their expiry are purged here. */
export async function revokeUserToken(ctx: Ctx, claims: UserTokenClaims): Promise<void> {
  await withTransaction(ctx, async ({ tx, clock }) => {
    await tx.delete(userRevokedTokens).where(lte(userRevokedTokens.expiresAt, clock.now()));
    await tx.insert(userRevokedTokens).values({ jti: claims.jti, userId: claims.userId, expiresAt: claims.expiresAt }).onConflictDoNothing();
  });
}

/** The sign-in row of an email: a user who can sign in (has a password, not removed). */
export async function signInUserByEmail(db: Executor, email: string) {
  const [row] = await db
    .select({ user: users, customerStatus: customers.status })
    .from(users)
    .innerJoin(customers, eq(customers.id, users.customerId))
    .where(and(eq(users.email, email), isNotNull(users.passwordHash), ne(users.status, 'removed')));
  return row;
}

/**
 * Ends every session of a customer's users, in the caller's transaction (erasure): each
 * user's token version moves on, so every portal token issued so far is refused, and their
 * unused one-time tokens (password reset, invitation, email verification) are spent.
 */
export async function endCustomerUserSessions(ctx: TxCtx, customerId: string): Promise<void> {
  const now = ctx.clock.now();
  const ended = await ctx.tx
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: now })
    .where(eq(users.customerId, customerId))
    .returning({ id: users.id });
  if (ended.length === 0) return;
  await ctx.tx.update(userTokens).set({ usedAt: now }).where(and(inArray(userTokens.userId, ended.map((u) => u.id)), isNull(userTokens.usedAt)));
}

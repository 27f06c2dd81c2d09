import { eq, lte, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { prepared } from '../../db/prepared.ts';
import { operators, revokedTokens } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Actor, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { toOperatorResource } from '../operators/present.ts';
import type { TokenClaims } from './tokens.ts';

// Every authenticated request runs this: prepared once per connection.
const sessionOf = prepared((db) =>
  db
    .select({ id: operators.id, role: operators.role, disabledAt: operators.disabledAt, tokenVersion: operators.tokenVersion, revoked: revokedTokens.jti })
    .from(operators)
    .leftJoin(revokedTokens, eq(revokedTokens.jti, sql.placeholder('jti')))
    .where(eq(operators.id, sql.placeholder('id')))
    .prepare(),
);

/**
 * Who a verified token acts for, as stored now: one indexed lookup of the operator
 * joined with the revocation list by the token's `jti`. Refuses a disabled or
 * missing operator, a token older than the operator's last password, role or
 * access change (its `ver`), and a token ended by logout.
 */
export async function resolveSession(db: Executor, claims: TokenClaims): Promise<Actor> {
  const row = await sessionOf(db).get({ jti: claims.jti, id: claims.operatorId });
  if (!row || row.disabledAt !== null) throw new DomainError('unauthorized', 'the operator of this token no longer has access');
  if (row.tokenVersion !== claims.tokenVersion) throw new DomainError('unauthorized', 'this token was revoked by a password, role or access change; log in again');
  if (row.revoked !== null) throw new DomainError('unauthorized', 'this token was logged out; log in again');
  return { id: row.id, kind: 'operator', role: row.role };
}

/**
 * Ends one token (logout): its `jti` is kept until the token would have expired,
 * so the operator's other sessions go on. Rows past their expiry are purged here.
 */
export async function revokeToken(ctx: Ctx, claims: TokenClaims): Promise<void> {
  await withTransaction(ctx, async ({ tx, clock }) => {
    await tx.delete(revokedTokens).where(lte(revokedTokens.expiresAt, clock.now()));
    await tx.insert(revokedTokens).values({ jti: claims.jti, operatorId: claims.operatorId, expiresAt: claims.expiresAt }).onConflictDoNothing();
  });
}

/** The operator behind the current token, and when that token expires. */
export async function describeSession(db: Executor, claims: TokenClaims) {
  const [row] = await db.select().from(operators).where(eq(operators.id, claims.operatorId));
  if (!row) throw new DomainError('unauthorized', 'the operator of this token no longer has access');
  return { operator: toOperatorResource(row), expires_at: toIso(claims.expiresAt) };
}

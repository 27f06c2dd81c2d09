import { and, eq, isNull } from 'drizzle-orm';
import { userTokens, type userTokenPurposes } from '../../db/schema/index.ts';
import type { Executor } from '../../db/client.ts';
import type { TxCtx } from '../kernel/context.ts';
import { validationError } from '../kernel/errors.ts';
import { sha256Hex } from '../kernel/hash.ts';

export type TokenPurpose = (typeof userTokenPurposes)[number];

const toB64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * Makes a single-use token for `userId` that works until `ttlMs` from now. Only its SHA-256
 * is stored; the text is returned once, for the email, and is never put in an event or a log.
 */
export async function createOneTimeToken(ctx: TxCtx, purpose: TokenPurpose, userId: string, ttlMs: number): Promise<string> {
  const token = toB64Url(crypto.getRandomValues(new Uint8Array(32)));
  const now = ctx.clock.now();
  await ctx.tx.insert(userTokens).values({ tokenHash: await sha256Hex(token), purpose, userId, expiresAt: now + ttlMs, usedAt: null, createdAt: now });
  return token;
}

/** Why a token does not work, the same words for unknown, used and expired (400 naming `token`). */
const unusable = () => validationError([{ field: 'token', message: 'is not valid: it is unknown, was already used or has expired' }]);

/** The user a token of `purpose` was made for, if it is known, unused and unexpired; without using it. */
export async function peekOneTimeToken(ctx: { db: Executor; clock: { now(): number } }, purpose: TokenPurpose, token: string): Promise<string> {
  const [row] = await ctx.db.select().from(userTokens).where(and(eq(userTokens.tokenHash, await sha256Hex(token)), eq(userTokens.purpose, purpose)));
  if (!row || row.usedAt !== null || row.expiresAt <= ctx.clock.now()) throw unusable();
  return row.userId;
}

/**
 * Uses a token once: marks it used in the caller's transaction only if it was still unused and
 * unexpired (one conditional update, so two concurrent uses cannot both succeed), and returns its user.
 */
export async function useOneTimeToken(ctx: TxCtx, purpose: TokenPurpose, token: string): Promise<string> {
  const userId = await peekOneTimeToken({ db: ctx.tx, clock: ctx.clock }, purpose, token);
  const now = ctx.clock.now();
  const used = await ctx.tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.tokenHash, await sha256Hex(token)), isNull(userTokens.usedAt)))
    .returning({ userId: userTokens.userId });
  if (used.length === 0) throw unusable();
  return userId;
}

/** Ends every other unused token of `purpose` for the user (a password reset makes older reset emails worthless). */
export async function endOneTimeTokens(ctx: TxCtx, purpose: TokenPurpose, userId: string): Promise<void> {
  await ctx.tx.update(userTokens).set({ usedAt: ctx.clock.now() }).where(and(eq(userTokens.userId, userId), eq(userTokens.purpose, purpose), isNull(userTokens.usedAt)));
}

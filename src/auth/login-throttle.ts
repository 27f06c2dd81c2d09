import { and, eq, gt, lte, sql } from 'drizzle-orm';
import { loginFailures } from '../../db/schema/index.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { sha256Hex } from '../kernel/hash.ts';

/** How many failed logins an email and a client address may have in one window. */
export interface LoginLimits {
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
  windowMs: number;
}

/** The counters one login attempt was charged to. */
export interface LoginAttempt {
  emailKey: string;
  addressKey?: string;
}

interface Counter {
  key: string;
  limit: number;
}

/** Counts one attempt in `key`'s fixed window (a new window once the old one is over) and returns the count. */
async function charge(ctx: TxCtx, key: string, windowMs: number) {
  const now = ctx.clock.now();
  const over = sql`${loginFailures.windowStart} <= ${now - windowMs}`;
  const [row] = await ctx.tx
    .insert(loginFailures)
    .values({ key, windowStart: now, failures: 1 })
    .onConflictDoUpdate({
      target: loginFailures.key,
      set: {
        failures: sql`CASE WHEN ${over} THEN 1 ELSE ${loginFailures.failures} + 1 END`,
        windowStart: sql`CASE WHEN ${over} THEN ${now} ELSE ${loginFailures.windowStart} END`,
      },
    })
    .returning({ failures: loginFailures.failures, windowStart: loginFailures.windowStart });
  return row!;
}

/**
 * Charges a login attempt to the email's and the client address's counters
 * before the password is checked, so parallel guesses cannot all slip under the
 * limit, and refuses it with `rate_limited` (429, Retry-After) once either
 * counter is past its limit. Counters live in the database, so every process
 * sharing it sees them; a success gives the attempt back (`forgiveLoginAttempt`).
 * An unknown address (no peer, no trusted header) is limited by email only.
 */
export async function chargeLoginAttempt(ctx: Ctx, limits: LoginLimits, who: { email: string; address?: string }): Promise<LoginAttempt> {
  const attempt: LoginAttempt = {
    emailKey: `email:${await sha256Hex(who.email.toLowerCase())}`,
    ...(who.address ? { addressKey: `address:${await sha256Hex(who.address)}` } : {}),
  };
  const counters: Counter[] = [{ key: attempt.emailKey, limit: limits.maxFailuresPerEmail }];
  if (attempt.addressKey) counters.push({ key: attempt.addressKey, limit: limits.maxFailuresPerAddress });

  const now = ctx.clock.now();
  const retryAfterMs = await withTransaction(ctx, async (ctx) => {
    await ctx.tx.delete(loginFailures).where(lte(loginFailures.windowStart, now - limits.windowMs));
    let wait = 0;
    for (const counter of counters) {
      const { failures, windowStart } = await charge(ctx, counter.key, limits.windowMs);
      if (failures > counter.limit) wait = Math.max(wait, windowStart + limits.windowMs - now);
    }
    return wait;
  });
  // Thrown after the commit: a refused attempt still counts.
  if (retryAfterMs > 0) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    throw new DomainError('rate_limited', `too many failed logins; try again in ${seconds} seconds`, { retry_after: seconds });
  }
  return attempt;
}

/** After a successful login: clears the email's failures and gives the address back this attempt. */
export async function forgiveLoginAttempt(ctx: Ctx, attempt: LoginAttempt): Promise<void> {
  await withTransaction(ctx, async ({ tx }) => {
    await tx.delete(loginFailures).where(eq(loginFailures.key, attempt.emailKey));
    if (attempt.addressKey) {
      await tx
        .update(loginFailures)
        .set({ failures: sql`${loginFailures.failures} - 1` })
        .where(and(eq(loginFailures.key, attempt.addressKey), gt(loginFailures.failures, 0)));
    }
  });
}

import { and, eq, gt, sql } from 'drizzle-orm';
import { rateCounters } from '../../db/schema/index.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { sha256Hex } from '../kernel/hash.ts';
import { countHits, purgeEndedWindows } from '../limits/counter.ts';

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
    emailKey: `login-failures:email:${await sha256Hex(who.email.toLowerCase())}`,
    ...(who.address ? { addressKey: `login-failures:address:${await sha256Hex(who.address)}` } : {}),
  };
  const counters: Counter[] = [{ key: attempt.emailKey, limit: limits.maxFailuresPerEmail }];
  if (attempt.addressKey) counters.push({ key: attempt.addressKey, limit: limits.maxFailuresPerAddress });

  const now = ctx.clock.now();
  const retryAfterMs = await withTransaction(ctx, async (ctx) => {
    await purgeEndedWindows(ctx.tx, now);
    let wait = 0;
    for (const counter of counters) {
      const { count, resetsAt } = await countHits(ctx.tx, counter.key, { by: 1, windowMs: limits.windowMs, now });
      if (count > counter.limit) wait = Math.max(wait, resetsAt - now);
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
    await tx.delete(rateCounters).where(eq(rateCounters.key, attempt.emailKey));
    if (attempt.addressKey) {
      await tx
        .update(rateCounters)
        .set({ count: sql`${rateCounters.count} - 1` })
        .where(and(eq(rateCounters.key, attempt.addressKey), gt(rateCounters.count, 0)));
    }
  });
}

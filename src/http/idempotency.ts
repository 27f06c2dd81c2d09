import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { idempotencyKeys } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { describeError, DomainError } from '../kernel/errors.ts';
import { sha256Hex } from '../kernel/hash.ts';
import type { RecoveryPoint } from '../kernel/resumable.ts';
import { IDEMPOTENCY_RETAIN_MS } from '../idempotency/purge.ts';
import type { AppEnv, IdempotencyClaim } from './env.ts';

/** What an Idempotency-Key may be, as the OpenAPI document states it: 1 to 255 printable ASCII characters, no space. */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/**
 * `Idempotency-Key` for POST requests. The first request claims the key; a
 * retry with the same body gets the stored response (with
 * `Idempotency-Replayed: true`), a different body 422, a retry while the first
 * still runs 409 `idempotency_in_progress` with `Retry-After`.
 *
 * The one rule: a write's effect and its stored response commit together, so a
 * retried key either replays what committed or runs for the first time, never twice.
 * A write of one transaction stores its response in it (`runCommand`). A write that
 * commits several times (`runSaga`: paying, topping up, subscribing, advancing a test
 * clock) records a recovery point with its first transaction, and a retry of a key
 * whose request died resumes from that point instead of starting again; its last
 * transaction stores the response (src/kernel/resumable.ts).
 *
 * Leases: a claim lasts `settings.idempotency.leaseMs` (IDEMPOTENCY_LEASE_MS) and the
 * running request renews it every third of that, so a long write keeps its key while
 * a dead one's is taken over by a retry at most one lease after its last renewal.
 * A claim whose owner is a request of this process that no longer runs (it died
 * unanswered) is taken over at once. A request that fails with a server error frees
 * its key, unless it recorded a recovery point: then the key stays claimed with the
 * lease ended, so the next retry resumes at once.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  /** This process (this app): the prefix of its claims' owners. Made at the first request (Workers allow no randomness at start-up). */
  let instance: string | undefined;
  /** The owners of the claims whose requests run in this process now. */
  const running = new Set<string>();
  const abandoned = (owner: string) => instance !== undefined && owner.startsWith(`${instance}:`) && !running.has(owner);

  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!KEY.test(key)) {
      throw new DomainError('validation', 'Idempotency-Key must be 1 to 255 printable ASCII characters', {
        issues: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }],
      });
    }
    const { transactor, clock, settings, logger } = c.get('deps');
    const leaseMs = settings.idempotency.leaseMs;
    const principal = c.get('ctx').actor.id;
    const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
    const where = and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key));
    instance ??= crypto.randomUUID();
    const owner = `${instance}:${crypto.randomUUID()}`;
    // Running from before its claim commits: a concurrent retry must never see it as abandoned.
    running.add(owner);

    const outcome = await transactor.write(async (tx) => {
      const now = clock.now();
      const lockedUntil = now + leaseMs;
      const [row] = await tx.select().from(idempotencyKeys).where(where);
      if (!row || row.createdAt < now - IDEMPOTENCY_RETAIN_MS) {
        const claim = {
          principal, key, method: c.req.method, path: c.req.path, requestHash, owner, recoveryPoint: null,
          state: 'in_progress' as const, lockedUntil, createdAt: now, responseStatus: null, responseBody: null,
        };
        await tx.insert(idempotencyKeys).values(claim).onConflictDoUpdate({ target: [idempotencyKeys.principal, idempotencyKeys.key], set: claim });
        return { claimed: true as const, recoveryPoint: null };
      }
      if (row.requestHash !== requestHash || row.state === 'completed') return { claimed: false as const, row, now };
      if (row.lockedUntil > now && !abandoned(row.owner)) return { claimed: false as const, row, now };
      // Its request died (or failed after its first commit): this one takes the key over, and resumes from the recovery point if there is one.
      await tx.update(idempotencyKeys).set({ owner, lockedUntil }).where(and(where, eq(idempotencyKeys.owner, row.owner)));
      return { claimed: true as const, recoveryPoint: (row.recoveryPoint as RecoveryPoint | null) ?? null };
    }).catch((error: unknown) => {
      running.delete(owner);
      throw error;
    });

    if (!outcome.claimed) {
      running.delete(owner);
      const { row, now } = outcome;
      if (row.requestHash !== requestHash) {
        throw new DomainError('idempotency_mismatch', 'this Idempotency-Key was used with a different request; use a new key for a new request');
      }
      if (row.state === 'in_progress') {
        throw new DomainError('idempotency_in_progress', 'the first request with this Idempotency-Key has not finished; retry later', {
          retry_after: Math.max(1, Math.ceil((row.lockedUntil - now) / 1000)),
        });
      }
      return c.body(row.responseBody ?? '', row.responseStatus as ContentfulStatusCode, {
        'Content-Type': row.responseStatus! >= 400 ? 'application/problem+json' : 'application/json',
        'Idempotency-Replayed': 'true',
      });
    }

    const claim: IdempotencyClaim = { principal, key, owner, stored: false, recoveryPoint: outcome.recoveryPoint };
    c.set('idempotency', claim);
    const mine = and(where, eq(idempotencyKeys.owner, owner), eq(idempotencyKeys.state, 'in_progress'));
    // Renewed by the running request only, so a dead request's lease simply runs out.
    const renewal = setInterval(() => {
      transactor.write((tx) => tx.update(idempotencyKeys).set({ lockedUntil: clock.now() + leaseMs }).where(mine)).catch((error: unknown) => {
        logger.error('renewing an Idempotency-Key claim failed', { key, error: String(error) });
      });
    }, Math.max(1, Math.floor(leaseMs / 3)));
    try {
      await next();
    } finally {
      clearInterval(renewal);
      try {
        const status = c.res.status;
        // A server error (a 503 when the storage refused the commit) may come with `stored` set by a
        // command whose commit then failed, so it settles the claim too.
        if (status >= 500 || !claim.stored) {
          if (status < 500 && claim.recoveryPoint === null) {
            // Client errors are final for this request, so they replay too.
            const body = await c.res.clone().text();
            await transactor.write((tx) => storeResponse(tx, claim, status, body));
          } else {
            // Nothing was done: the key is free for a retry. Something was: the next retry resumes it at once.
            await transactor.write(async (tx) => {
              await tx.delete(idempotencyKeys).where(and(mine, isNull(idempotencyKeys.recoveryPoint)));
              await tx.update(idempotencyKeys).set({ lockedUntil: clock.now() }).where(and(mine, isNotNull(idempotencyKeys.recoveryPoint)));
            });
          }
        }
      } catch (error) {
        // The storage refused even this (a full disk): the answer stands, and the claim, whose request no
        // longer runs, is taken over at once by a retry in this process (in another, after its lease).
        logger.warn('an Idempotency-Key claim was not settled; a retry takes it over', { key, error: describeError(error) });
      } finally {
        running.delete(owner);
      }
    }
  };
}

/** The claim is no longer this request's: a retry took it over (this one ran past its lease), and its result is the one that counts. */
const takenOver = () =>
  new DomainError('idempotency_in_progress', 'this request took too long and a retry with the same Idempotency-Key took over; its result is the one that counts', { retry_after: 1 });

/** Records the response under the claimed key; call inside the write's (last) transaction. */
export async function storeResponse(tx: TxCtx['tx'], claim: IdempotencyClaim, status: number, body: string): Promise<void> {
  const stored = await tx
    .update(idempotencyKeys)
    .set({ state: 'completed', responseStatus: status, responseBody: body })
    .where(
      and(
        eq(idempotencyKeys.principal, claim.principal),
        eq(idempotencyKeys.key, claim.key),
        eq(idempotencyKeys.state, 'in_progress'),
        // Still our claim: a retry that took over owns the key now, and this request's effects must roll back rather than apply twice.
        eq(idempotencyKeys.owner, claim.owner),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  if (stored.length === 0) throw takenOver();
  claim.stored = true;
}

/**
 * Records a multi-step write's recovery point under the claimed key, in the
 * transaction of its first step (the effect and the point commit together, or neither).
 */
export async function recordRecoveryPoint(tx: TxCtx['tx'], claim: IdempotencyClaim, point: RecoveryPoint): Promise<void> {
  const recorded = await tx
    .update(idempotencyKeys)
    .set({ recoveryPoint: point })
    .where(and(eq(idempotencyKeys.principal, claim.principal), eq(idempotencyKeys.key, claim.key), eq(idempotencyKeys.state, 'in_progress'), eq(idempotencyKeys.owner, claim.owner)))
    .returning({ key: idempotencyKeys.key });
  if (recorded.length === 0) throw takenOver();
}

import { and, eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { idempotencyKeys } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import type { Clock } from '../kernel/clock.ts';
import { describeError, DomainError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Transactor } from '../kernel/transactor.ts';
import { sha256Hex } from '../kernel/hash.ts';
import { IDEMPOTENCY_RETAIN_MS } from '../idempotency/purge.ts';
import type { AppEnv, IdempotencyClaim } from './env.ts';

/** How long a claim protects a running request before a retry may take it over (crashed request). */
const CLAIM_MS = 60_000;
/** What an Idempotency-Key may be, as the OpenAPI document states it: 1 to 255 printable ASCII characters, no space. */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/**
 * `Idempotency-Key` for POST requests. The first request claims the key; a
 * retry with the same body gets the stored response (with
 * `Idempotency-Replayed: true`), a different body 422, a retry while the first
 * still runs 409. Successful commands store their response in their own
 * transaction (see `runCommand`), so a crash can never apply a change without
 * recording it under the key.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async function idempotencyMiddleware(c, next) {
    const key = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!KEY.test(key)) {
      throw new DomainError('validation', 'Idempotency-Key must be 1 to 255 printable ASCII characters', {
        issues: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }],
      });
    }
    const { transactor, clock } = c.get('deps');
    const principal = c.get('ctx').actor.id;
    const requestHash = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
    const where = and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key));

    let lockedUntil = 0;
    const existing = await transactor.write(async (tx) => {
      const now = clock.now();
      lockedUntil = now + CLAIM_MS;
      const [row] = await tx.select().from(idempotencyKeys).where(where);
      if (!row || row.createdAt < now - IDEMPOTENCY_RETAIN_MS) {
        const claim = {
          principal, key, method: c.req.method, path: c.req.path, requestHash,
          state: 'in_progress' as const, lockedUntil, createdAt: now, responseStatus: null, responseBody: null,
        };
        await tx.insert(idempotencyKeys).values(claim).onConflictDoUpdate({ target: [idempotencyKeys.principal, idempotencyKeys.key], set: claim });
        return null;
      }
      if (row.requestHash !== requestHash) return row;
      if (row.state === 'in_progress' && row.lockedUntil <= now) {
        await tx.update(idempotencyKeys).set({ lockedUntil }).where(where);
        return null;
      }
      return row;
    });

    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw new DomainError('idempotency_mismatch', 'this Idempotency-Key was used with a different request; use a new key for a new request');
      }
      if (existing.state === 'in_progress') {
        throw new DomainError('idempotency_in_progress', 'the first request with this Idempotency-Key has not finished; retry later');
      }
      return c.body(existing.responseBody ?? '', existing.responseStatus as ContentfulStatusCode, {
        'Content-Type': existing.responseStatus! >= 400 ? 'application/problem+json' : 'application/json',
        'Idempotency-Replayed': 'true',
      });
    }

    const claim: IdempotencyClaim = { principal, key, lockedUntil, stored: false };
    c.set('idempotency', claim);
    try {
      await next();
    } finally {
      const status = c.res.status;
      // A server error (a 503 when the storage refused the write) frees the key for a retry; it may come
      // with `stored` set by a command whose commit then failed, so it is checked first.
      if (status >= 500) await releaseClaim(c.get('deps'), claim);
      else if (!claim.stored) {
        // Client errors are final for this request, so they replay too.
        const body = await c.res.clone().text();
        try {
          await transactor.write((tx) => storeResponse(tx, claim, status, body));
        } catch {
          // Not stored (the disk filled meanwhile): a retry runs the request again rather than wait for the claim.
          await releaseClaim(c.get('deps'), claim);
        }
      }
    }
  };
}

/**
 * Frees a claim whose request ended without storing a response, only while it is still this
 * request's and in progress (a committed response is never removed). When the storage refuses
 * even that, it is tried again in the background until it succeeds or the claim expires, so a
 * retry after the storage recovers runs at once instead of answering `idempotency_in_progress`.
 */
async function releaseClaim(deps: { transactor: Transactor; clock: Clock; logger: Logger }, claim: IdempotencyClaim, delayMs = 250): Promise<void> {
  const own = and(
    eq(idempotencyKeys.principal, claim.principal),
    eq(idempotencyKeys.key, claim.key),
    eq(idempotencyKeys.state, 'in_progress'),
    eq(idempotencyKeys.lockedUntil, claim.lockedUntil),
  );
  try {
    await deps.transactor.write((tx) => tx.delete(idempotencyKeys).where(own));
  } catch (error) {
    if (deps.clock.now() >= claim.lockedUntil) return; // expired: a retry takes the key over anyway
    deps.logger.warn('idempotency claim not released; retrying', { key: claim.key, error: describeError(error) });
    setTimeout(() => void releaseClaim(deps, claim, Math.min(delayMs * 2, 5_000)), delayMs);
  }
}

/** Records the response under the claimed key; call inside the command's transaction. */
export async function storeResponse(tx: TxCtx['tx'], claim: IdempotencyClaim, status: number, body: string): Promise<void> {
  const stored = await tx
    .update(idempotencyKeys)
    .set({ state: 'completed', responseStatus: status, responseBody: body })
    .where(
      and(
        eq(idempotencyKeys.principal, claim.principal),
        eq(idempotencyKeys.key, claim.key),
        eq(idempotencyKeys.state, 'in_progress'),
        // Still our claim: a retry that took over an expired claim owns the key now,
        // and this request's effects must roll back rather than apply twice.
        eq(idempotencyKeys.lockedUntil, claim.lockedUntil),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  if (stored.length === 0) {
    throw new DomainError('idempotency_in_progress', 'this request took too long and a retry with the same Idempotency-Key took over; its result is the one that counts');
  }
  claim.stored = true;
}

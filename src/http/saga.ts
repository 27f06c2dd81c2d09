import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withTransaction } from '../kernel/context.ts';
import type { RecoveryPoint, ResumableWrite } from '../kernel/resumable.ts';
import type { AppEnv } from './env.ts';
import { recordRecoveryPoint, storeResponse } from './idempotency.ts';

/**
 * Runs a write that commits several times, for a route (src/kernel/resumable.ts):
 * its first transaction records the recovery point under the request's
 * Idempotency-Key with the effect; its last one stores the answer. A retry of a
 * key whose request died after the first commit finds the point and resumes the
 * write from it (`proceed` with `resumed`), so the effect happens once and the
 * retry answers as the first request would have. A failure after the first commit
 * leaves the key resumable (src/http/idempotency.ts), never freed nor answered for good.
 */
export async function runSaga<P extends RecoveryPoint, R, T>(c: Context<AppEnv>, status: ContentfulStatusCode, write: ResumableWrite<P, R, T>): Promise<Response> {
  const ctx = c.get('ctx');
  const claim = c.get('idempotency');
  const recorded = (claim?.recoveryPoint ?? null) as P | null;
  const point =
    recorded ??
    (await withTransaction(ctx, async (tx) => {
      const begun = await write.begin(tx);
      if (claim) await recordRecoveryPoint(tx.tx, claim, begun);
      return begun;
    }));
  // Set once the first transaction committed: from here on a failure leaves the key resumable.
  if (claim) claim.recoveryPoint = point;
  const progress = await write.proceed(ctx, point, recorded !== null);
  const json = await withTransaction(ctx, async (tx) => {
    const answer = JSON.stringify(await write.finish(tx, point, progress));
    if (claim) await storeResponse(tx.tx, claim, status, answer);
    return answer;
  });
  return c.body(json, status, { 'Content-Type': 'application/json' });
}

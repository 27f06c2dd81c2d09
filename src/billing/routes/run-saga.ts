import type { Context } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { SagaDeps } from '../collect.ts';

/**
 * Runs a verb that commits several times, for a route: the payment saga commits
 * before and after the provider call so it never holds the writer across the
 * network, which is why it cannot share `runCommand`'s one transaction. The verb
 * gets the request's context outside any transaction; its answer is stored under the
 * Idempotency-Key by the idempotency middleware once it returns (a retry while it
 * runs is a 409 `idempotency_in_progress`, a retry after it replays the answer),
 * and the saga's own stored steps make a crash mid-way resumable, not repeatable.
 */
export async function runSaga<T>(c: Context<AppEnv>, verb: (ctx: SagaDeps) => Promise<T>): Promise<Response> {
  return c.json(await verb(c.get('ctx')));
}

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withTransaction, type TxCtx } from '../kernel/context.ts';
import type { AppEnv } from './env.ts';
import { storeResponse } from './idempotency.ts';

/**
 * Runs a write for a route: the verb, and the response stored under the
 * request's Idempotency-Key, commit in one transaction.
 */
export async function runCommand<T>(c: Context<AppEnv>, status: ContentfulStatusCode, verb: (ctx: TxCtx) => Promise<T>): Promise<Response> {
  const claim = c.get('idempotency');
  const body = await withTransaction(c.get('ctx'), async (ctx) => {
    const result = await verb(ctx);
    const json = JSON.stringify(result);
    if (claim) await storeResponse(ctx.tx, claim, status, json);
    return json;
  });
  return c.body(body, status, { 'Content-Type': 'application/json' });
}

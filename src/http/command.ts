import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { withTransaction, type TxCtx } from '../kernel/context.ts';
import type { AppEnv } from './env.ts';
import { storeResponse } from './idempotency.ts';
import type { Problem } from './problem.ts';

/**
 * Runs a write for a route: the verb, and the response stored under the
 * request's Idempotency-Key, commit in one transaction.
 *
 * `refusal` turns a result into a problem answer while the verb's work still
 * commits (a batch refused for quota still records that the quota was crossed);
 * the problem is what an idempotent retry replays.
 */
export async function runCommand<T>(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  verb: (ctx: TxCtx) => Promise<T>,
  refusal?: (result: T) => Problem | null,
): Promise<Response> {
  const claim = c.get('idempotency');
  const reply = await withTransaction(c.get('ctx'), async (ctx) => {
    const result = await verb(ctx);
    const problem = refusal?.(result) ?? null;
    const answer = problem
      ? { status: problem.status as ContentfulStatusCode, json: JSON.stringify({ ...problem, request_id: c.get('requestId') }), type: 'application/problem+json' }
      : { status, json: JSON.stringify(result), type: 'application/json' };
    if (claim) await storeResponse(ctx.tx, claim, answer.status, answer.json);
    return answer;
  });
  return c.body(reply.json, reply.status, { 'Content-Type': reply.type });
}

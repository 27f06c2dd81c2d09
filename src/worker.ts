import { PlatformObject, WAKE_HEADER } from './entries/platform-object.ts';
import type { DurableObjectNamespace, ExecutionContext, ScheduledController } from './entries/workers-types.ts';

/** The Worker's bindings: the platform's Durable Object namespace, besides the vars and secrets it reads as configuration. */
interface WorkerEnv {
  PLATFORM: DurableObjectNamespace;
}

/** The one object every isolate forwards to: one object, one writer. */
const platform = (env: WorkerEnv) => env.PLATFORM.get(env.PLATFORM.idFromName('platform'));

export { PlatformObject };

/**
 * The Cloudflare Workers entry (`wrangler.toml`): `fetch` forwards every request to the
 * platform's Durable Object, which serves the API; `scheduled` (the cron) asks it to run
 * the worker passes, for billing and retries that fall due without a commit to wake them.
 */
export default {
  fetch(request: Request, env: WorkerEnv): Promise<Response> {
    if (!request.headers.has(WAKE_HEADER)) return platform(env).fetch(request);
    // Only `scheduled` may wake the object: a client's copy of the header is dropped.
    const headers = new Headers(request.headers);
    headers.delete(WAKE_HEADER);
    return platform(env).fetch(new Request(request, { headers }));
  },

  scheduled(_controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): void {
    ctx.waitUntil(platform(env).fetch(new Request('https://platform.internal/passes', { method: 'POST', headers: { [WAKE_HEADER]: '1' } })));
  },
};

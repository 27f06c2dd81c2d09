import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { anonymousActor } from '../kernel/context.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { AppEnv } from './env.ts';

export interface ObserveOptions {
  logger: Logger;
  metrics: Metrics;
}

/**
 * The route template a request matched (`/v1/customers/:id`), never the raw path, so ids
 * never become labels; `unmatched` when no route answered (404, 405).
 */
export function routeTemplate(c: Context<AppEnv>): string {
  const endpoints = matchedRoutes(c).filter((route) => route.method !== 'ALL');
  return endpoints[0]?.path ?? 'unmatched';
}

/**
 * Counts and times every request by route template, method and status, and writes one
 * access-log line for it (method, route, status, duration, request id, actor). Goes right
 * after `requestId()` so it sees the final status of every answer, errors included.
 *
 * @example
 * app.use(requestId());
 * app.use(observeRequests({ logger: deps.logger, metrics: deps.metrics }));
 */
export function observeRequests(options: ObserveOptions): MiddlewareHandler<AppEnv> {
  return async function observeRequestsMiddleware(c, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeTemplate(c);
    const status = c.res.status;
    options.metrics.httpRequest(route, c.req.method, status, seconds);
    const ctx = c.get('ctx');
    const actor = ctx?.actor;
    options.logger.info('request', {
      method: c.req.method,
      route,
      status,
      duration_ms: Math.round(seconds * 100_000) / 100,
      request_id: c.get('requestId'),
      ...(ctx?.traceparent ? { trace_id: ctx.traceparent.slice(3, 35) } : {}),
      actor_id: actor && actor !== anonymousActor ? actor.id : null,
      actor_kind: actor && actor !== anonymousActor ? actor.kind : 'anonymous',
    });
  };
}

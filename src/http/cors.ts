import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from './env.ts';

/**
 * CORS for the API: the configured origins (CORS_ORIGINS) may call it from a browser
 * with a bearer token and an Idempotency-Key; with none configured no CORS header is
 * sent, so browsers keep to the same origin. A preflight is answered before
 * authentication (it carries no token).
 */
export function corsForOrigins(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  if (origins.length === 0) return async function noCors(_c, next) { await next(); };
  const allowed = new Set(origins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match'],
    exposeHeaders: ['Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id', 'Idempotency-Replayed', 'ETag', 'Allow'],
    maxAge: 600,
  }) as MiddlewareHandler<AppEnv>;
}

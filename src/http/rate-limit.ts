import type { Context, MiddlewareHandler } from 'hono';
import { storageFaultOf } from '../../db/storage-fault.ts';
import { anonymousActor } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { sha256Hex } from '../kernel/hash.ts';
import type { Settings } from '../kernel/settings.ts';
import { clientAddress } from './client-address.ts';
import type { AppEnv } from './env.ts';

export interface RateLimitOptions {
  /** What the request is counted against; undefined lets it through uncounted (no principal, no address). */
  key: (c: Context<AppEnv>) => string | undefined | Promise<string | undefined>;
  /** Requests allowed per key and window (`deps.rateLimiter.windowMs`); 0 turns the limit off. */
  limit: number | ((c: Context<AppEnv>) => number);
}

/**
 * Limits requests per key with the process's rate limiter (`deps.rateLimiter`).
 * Every counted response carries `RateLimit-Policy` and `RateLimit`
 * (draft-ietf-httpapi-ratelimit-headers); past the limit the request is refused
 * before its handler runs with a 429 `rate_limited` problem and `Retry-After`.
 *
 * @example
 * app.get('/things', rateLimit({ key: (c) => c.req.header('X-Tenant'), limit: 100 }), handler);
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async function rateLimitMiddleware(c, next) {
    const limit = typeof options.limit === 'function' ? options.limit(c) : options.limit;
    const key = limit > 0 ? await options.key(c) : undefined;
    if (key === undefined) return next();

    const limiter = c.get('deps').rateLimiter;
    const now = c.get('deps').clock.now();
    let decision: Awaited<ReturnType<typeof limiter.take>>;
    try {
      decision = await limiter.take(key, limit);
    } catch (error) {
      // The counters live in the database: when it cannot take writes (full, read-only), reads must
      // still be served, so the request goes through uncounted and a write fails on its own with a 503.
      if (!storageFaultOf(error)) throw error;
      return next();
    }
    const seconds = Math.max(1, Math.ceil((decision.resetAt - now) / 1000));
    const headers = {
      'RateLimit-Policy': `"default";q=${limit};w=${Math.round(limiter.windowMs / 1000)}`,
      RateLimit: `"default";r=${decision.remaining};t=${seconds}`,
    };
    if (!decision.allowed) {
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
      c.header('Retry-After', String(seconds));
      throw new DomainError('rate_limited', `more than ${limit} requests in ${Math.round(limiter.windowMs / 1000)} seconds; try again in ${seconds} seconds`, { retry_after: seconds });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}

/**
 * The limit per authenticated principal (`RATE_LIMIT_PER_MINUTE`), keyed by the
 * actor's kind and id (an operator, an API key, a customer's user). Requests to
 * public routes carry no principal and are not counted here.
 */
export function limitPerPrincipal(): MiddlewareHandler<AppEnv> {
  return rateLimit({
    key: (c) => {
      const { actor } = c.get('ctx');
      return actor.id === anonymousActor.id ? undefined : `principal:${actor.kind}:${actor.id}`;
    },
    limit: (c) => c.get('ctx').settings.limits.perPrincipal,
  });
}

/** The open routes limited per client address, each with its own counter and setting. */
export type AddressLimited = keyof Settings['limits']['perAddress'];

/**
 * The limit per client address for an open route (`login`, `signup`, `password_reset`,
 * `emailed_code`: `RATE_LIMIT_<NAME>_PER_MINUTE`), one counter per route kind
 * and address; the address is stored hashed. A request whose address is unknown
 * (no peer, no trusted header) is not counted.
 */
export function limitPerAddress(name: AddressLimited): MiddlewareHandler<AppEnv> {
  return rateLimit({
    key: async (c) => {
      const address = clientAddress(c, c.get('ctx').settings.login.clientAddressHeader);
      return address === undefined ? undefined : `address:${name}:${await sha256Hex(address)}`;
    },
    limit: (c) => c.get('ctx').settings.limits.perAddress[name],
  });
}

import type { Hono } from 'hono';
import type { AppEnv } from './env.ts';

/**
 * Where a domain's routes hang under `/v1`. A domain's `routes.ts` (or `routes/`) declares
 * its mounts; `src/app.ts` gathers every domain's in one list and mounts them in its order.
 * Routers under one prefix share it (`/customers` holds customers', users', wallets' …
 * routes); their paths never overlap, so their order changes no match, only the order of
 * the OpenAPI document.
 */
export interface Mount {
  /** The prefix under `/v1`, e.g. `/customers`. */
  readonly path: `/${string}`;
  /**
   * Mounted before Idempotency-Key handling: routes that are no commands to replay (login,
   * logout, the session's `me`). Everything else comes after it.
   */
  readonly beforeIdempotency: boolean;
  /** Adds the routes, built fresh, to the `/v1` app under `path`. */
  readonly attach: (v1: Hono<AppEnv>) => void;
}

/**
 * Declares that `routes()` serves under `/v1` + `path`.
 *
 * @example
 * export const walletMounts = [mount('/customers', walletRoutes)];
 */
export function mount<E extends AppEnv>(path: Mount['path'], routes: () => Hono<E>, options: { beforeIdempotency?: boolean } = {}): Mount {
  return {
    path,
    beforeIdempotency: options.beforeIdempotency ?? false,
    attach: (v1) => void v1.route(path, routes()),
  };
}

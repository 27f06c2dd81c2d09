import type { MiddlewareHandler } from 'hono';
import { newId } from '../kernel/ids.ts';
import type { AppEnv } from './env.ts';

const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id (the caller's `X-Request-Id` if sane) and echoes it back. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const given = c.req.header('X-Request-Id');
    const id = given && ACCEPTED.test(given) ? given : newId('req');
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}

import type { MiddlewareHandler } from 'hono';
import { resolveSession } from '../auth/sessions.ts';
import { verifyToken, type OperatorRole } from '../auth/tokens.ts';
import { DomainError } from '../kernel/errors.ts';
import type { AppEnv } from './env.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequireAuthOptions {
  /** Viewers may only read (default). Off for routes about the caller's own session, such as logout. */
  viewersReadOnly?: boolean;
}

/**
 * Requires a valid bearer token for an operator who still exists, is not
 * disabled, has not changed password, role or access since the token was issued,
 * and has not logged the token out. Puts the operator (with the role stored now,
 * not the one in the token) on the request context and the token's claims on
 * `token`. Viewers may only read.
 */
export function requireAuth({ viewersReadOnly = true }: RequireAuthOptions = {}): MiddlewareHandler<AppEnv> {
  return async function requireAuthMiddleware(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new DomainError('unauthorized', 'send Authorization: Bearer <token>; get a token from POST /v1/auth/login');
    }
    const deps = c.get('deps');
    const claims = await verifyToken(deps.tokens, match[1]!, deps.clock.now());
    const actor = await resolveSession(deps.db, claims);
    c.set('token', claims);
    c.set('ctx', { ...c.get('ctx'), actor });
    if (viewersReadOnly && !READ_METHODS.has(c.req.method) && actor.role === 'viewer') {
      throw new DomainError('forbidden', 'viewers have read-only access');
    }
    await next();
  };
}

/** Restricts a route to the given roles (after `requireAuth`). */
export function requireRole(...roles: OperatorRole[]): MiddlewareHandler<AppEnv> {
  return async function requireRoleMiddleware(c, next) {
    const { role } = c.get('ctx').actor;
    if (!roles.includes(role as OperatorRole)) {
      throw new DomainError('forbidden', `this needs one of the roles: ${roles.join(', ')}`);
    }
    await next();
  };
}

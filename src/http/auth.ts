import { and, eq, isNull } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { operators } from '../../db/schema/index.ts';
import { verifyToken, type OperatorRole } from '../auth/tokens.ts';
import { DomainError } from '../kernel/errors.ts';
import type { AppEnv } from './env.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Requires a valid bearer token for an operator who still exists and is not
 * disabled, and puts the operator (with the role stored now, not the one in the
 * token) on the request context. Viewers may only read.
 */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async function requireAuthMiddleware(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new DomainError('unauthorized', 'send Authorization: Bearer <token>; get a token from POST /v1/auth/login');
    }
    const deps = c.get('deps');
    const claimed = await verifyToken(deps.tokens, match[1]!, deps.clock.now());
    const [operator] = await deps.db
      .select({ id: operators.id, role: operators.role })
      .from(operators)
      .where(and(eq(operators.id, claimed.id), isNull(operators.disabledAt)));
    if (!operator) throw new DomainError('unauthorized', 'the operator of this token no longer has access');
    c.set('ctx', { ...c.get('ctx'), actor: { id: operator.id, kind: 'operator', role: operator.role } });
    if (!READ_METHODS.has(c.req.method) && operator.role === 'viewer') {
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

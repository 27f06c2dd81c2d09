import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { DomainError } from '../kernel/errors.ts';
import { authenticate } from './auth.ts';
import type { AppEnv } from './env.ts';

/** Who may call a route, from least to most privileged; each level admits the roles above it. */
export const ACCESS_LEVELS = ['public', 'viewer', 'operator', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

const ACCESS = Symbol('access');
type Declared = { [ACCESS]?: Access };

const REFUSAL: Record<Exclude<Access, 'public'>, string> = {
  viewer: 'this needs an operator token',
  operator: 'this needs an operator or admin role; viewers have read-only access',
  admin: 'this needs the admin role',
};

/**
 * Declares who may call a route. The returned middleware does nothing itself:
 * `enforceAccess` reads the declaration of the route a request matched, and
 * `doc()` shows it in the OpenAPI document. Routes documented with `doc()`
 * declare through it; others (health, docs) put `access('public')` first.
 */
export function access(level: Access): MiddlewareHandler<AppEnv> {
  const declared = async function declaredAccess(_c: Context<AppEnv>, next: () => Promise<void>) {
    await next();
  };
  return Object.assign(declared, { [ACCESS]: level });
}

/** The access a route's handlers declare, or undefined when none does. */
export function declaredAccess(handlers: readonly unknown[]): Access | undefined {
  for (const handler of handlers) {
    const level = (handler as Declared)[ACCESS];
    if (level) return level;
  }
  return undefined;
}

/**
 * The access of the route this request matched: the first declaration among its
 * handlers. A matched route that declares nothing is treated as admin-only (fail
 * closed; the route-roles test refuses such a route). A request no route answers
 * needs nothing: it gets its 404 or 405.
 */
function accessOf(c: Context<AppEnv>): Access {
  const endpoints = matchedRoutes(c).filter((route) => route.method !== 'ALL');
  if (endpoints.length === 0) return 'public';
  return declaredAccess(endpoints.map((route) => route.handler)) ?? 'admin';
}

/**
 * Enforces each route's declared access before anything else of the request
 * runs (idempotency, validation): public routes need no token, the others a
 * valid one (401) whose operator's role reaches the declared level (403).
 */
export function enforceAccess(): MiddlewareHandler<AppEnv> {
  return async function enforceAccessMiddleware(c, next) {
    const level = accessOf(c);
    if (level !== 'public') {
      const { role } = await authenticate(c);
      if (ACCESS_LEVELS.indexOf(role as Access) < ACCESS_LEVELS.indexOf(level)) throw new DomainError('forbidden', REFUSAL[level]);
    }
    await next();
  };
}

import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';
import { DomainError } from '../kernel/errors.ts';
import { resolveUserSession, type UserSession } from '../portal/sessions.ts';
import { portalTokenSettings, verifyUserToken } from '../portal/tokens.ts';

/** The portal routes' environment: the app's, plus the signed-in user. */
export interface PortalEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { user?: UserSession };
}

const REQUIRES_USER = Symbol('requiresUser');

/** True for a route handler made by `requireUser()` (the route-roles walk expects 401 without a portal token). */
export const requiresUser = (handler: unknown) => Boolean((handler as { [REQUIRES_USER]?: boolean })?.[REQUIRES_USER]);

/** The signed-in portal user of a request that passed `requireUser()`. */
export function sessionOf(c: Context<PortalEnv>): UserSession {
  const user = c.get('user');
  if (!user) throw new DomainError('unauthorized', 'this needs a portal user token');
  return user;
}

/**
 * Requires a portal user's bearer token (POST /v1/portal/login): verified by
 * `verifyUserToken`, then resolved against the database (`resolveUserSession`), and puts
 * the session on `user`. The routes behind it are declared `public` for `enforceAccess`
 * (which knows only operators); this is their authentication until the principal model
 * takes users. An operator token is refused here (another audience).
 *
 * @example app.get('/me', doc({ …, access: 'public' }), requireUser(), handler)
 */
export function requireUser(): MiddlewareHandler<PortalEnv> {
  const middleware = async function requireUserMiddleware(c: Context<PortalEnv>, next: () => Promise<void>) {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new DomainError('unauthorized', 'send Authorization: Bearer <token>; get a portal token from POST /v1/portal/login');
    }
    const deps = c.get('deps');
    const ctx = c.get('ctx');
    const claims = await verifyUserToken(portalTokenSettings(deps.tokens, ctx.settings.portal.audience), token, deps.clock.now());
    c.set('user', await resolveUserSession(deps.db, claims));
    await next();
  };
  return Object.assign(middleware, { [REQUIRES_USER]: true });
}

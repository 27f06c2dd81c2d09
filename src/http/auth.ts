import type { Context } from 'hono';
import { authenticateApiKey } from '../api-keys/authenticate.ts';
import { KEY_PREFIX } from '../api-keys/secret.ts';
import { resolveSession } from '../auth/sessions.ts';
import { verifyToken } from '../auth/tokens.ts';
import { createContext, type Actor } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { AppEnv } from './env.ts';
import { sessionToken } from '../admin/session.ts';

/**
 * Requires a valid bearer token for an operator who still exists, is not
 * disabled, has not changed password, role or access since the token was issued,
 * and has not logged the token out. Puts the operator (with the role stored now,
 * not the one in the token) on the request's context and the token's claims on
 * `token`, and returns the operator. The dashboard's pages (`/admin/*`) also
 * take the token from the session cookie; the API takes only the header. A bearer
 * starting `sk_live_` is an API key: its principal (scopes, tenant) goes on the context
 * instead. Called by `enforceAccess` for every route that is not public.
 */
export async function authenticate(c: Context<AppEnv>): Promise<Actor> {
  const header = c.req.header('Authorization') ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? sessionToken(c);
  if (!token) {
    c.header('WWW-Authenticate', 'Bearer');
    throw new DomainError('unauthorized', 'send Authorization: Bearer <token>; get a token from POST /v1/auth/login');
  }
  const deps = c.get('deps');
  if (token.startsWith(KEY_PREFIX)) {
    const actor = await authenticateApiKey(deps, deps.apiKeyUsage, token);
    c.set('ctx', createContext(deps, actor, { requestId: c.get('requestId') }));
    return actor;
  }
  const claims = await verifyToken(deps.tokens, token, deps.clock.now());
  const actor = await resolveSession(deps.db, claims);
  c.set('token', claims);
  c.set('ctx', createContext(deps, actor, { requestId: c.get('requestId') }));
  return actor;
}

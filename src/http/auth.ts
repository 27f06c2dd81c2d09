import type { Context } from 'hono';
import { decodeJwt } from 'jose';
import { authenticateApiKey } from '../api-keys/authenticate.ts';
import { KEY_PREFIX } from '../api-keys/secret.ts';
import { resolveSession } from '../auth/sessions.ts';
import { verifyToken } from '../auth/tokens.ts';
import { createContext, type Actor } from '../kernel/context.ts';
import { requestContextOptions } from './request-id.ts';
import { DomainError } from '../kernel/errors.ts';
import type { AppEnv } from './env.ts';
import { sessionToken } from '../admin/session.ts';
import { resolveUserSession } from '../portal/sessions.ts';
import { userActor } from '../portal/principal.ts';
import { portalTokenSettings, verifyUserToken } from '../portal/tokens.ts';

/** The audience a JWT names, read without verifying it: only to pick the verifier, which then checks everything. */
function audienceOf(token: string): unknown {
  try {
    return decodeJwt(token).aud;
  } catch {
    return undefined;
  }
}

/**
 * Requires a valid bearer token for an operator who still exists, is not
 * disabled, has not changed password, role or access since the token was issued,
 * and has not logged the token out. Puts the operator (with the role stored now,
 * not the one in the token) on the request's context and the token's claims on
 * `token`, and returns the operator. The dashboard's pages (`/admin/*`) also
 * take the token from the session cookie; the API takes only the header. A bearer
 * starting `sk_live_` is an API key: its principal (scopes, tenant) goes on the context
 * instead. A JWT with the portal's audience is a customer's user (`src/portal/principal.ts`):
 * a tenant with its role's scopes, like a customer's key. Called by `enforceAccess` for every
 * route that is not public.
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
    c.set('ctx', createContext(deps, actor, requestContextOptions(c)));
    return actor;
  }
  let claims;
  try {
    // Operators first: their verified tokens are remembered, so the common case reads no token twice.
    claims = await verifyToken(deps.tokens, token, deps.clock.now());
  } catch (refused) {
    const audience = c.get('ctx').settings.portal.audience;
    if (audienceOf(token) !== audience) throw refused;
    // A customer's user (POST /v1/portal/login): its customer is its tenant, as for a customer's key.
    const session = await resolveUserSession(deps.db, await verifyUserToken(portalTokenSettings(deps.tokens, audience), token, deps.clock.now()));
    const actor = userActor(session);
    c.set('ctx', createContext(deps, actor, requestContextOptions(c)));
    return actor;
  }
  const actor = await resolveSession(deps.db, claims);
  c.set('token', claims);
  c.set('ctx', createContext(deps, actor, requestContextOptions(c)));
  return actor;
}

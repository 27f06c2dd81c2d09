import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { DomainError } from '../kernel/errors.ts';
import type { AppEnv } from '../http/env.ts';

/** The dashboard's session cookie: the operator's JWT, never readable by scripts. */
export const SESSION_COOKIE = 'admin_session';

/** The dashboard lives under this path; only there does the session cookie count as a credential. */
export const ADMIN_PATH = '/admin';

export const isAdminPath = (path: string) => path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`);

const isHttps = (c: Context) => new URL(c.req.url).protocol === 'https:';

/** Keeps the token in an HttpOnly, SameSite=Strict cookie (Secure over https) scoped to the dashboard. */
export function startSession(c: Context<AppEnv>, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure: isHttps(c), path: ADMIN_PATH, expires: expiresAt });
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: ADMIN_PATH, secure: isHttps(c) });
}

/** The session cookie's token, on dashboard paths only (the API takes `Authorization: Bearer` alone). */
export const sessionToken = (c: Context<AppEnv>): string | undefined => (isAdminPath(c.req.path) ? getCookie(c, SESSION_COOKIE) : undefined);

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
const toB64Url = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The CSRF token of a session: an HMAC of its token id under the signing secret, so nothing is stored. */
export async function csrfTokenFor(secret: string, jti: string): Promise<string> {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = crypto.subtle.importKey('raw', encoder.encode(`csrf:${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])));
  return toB64Url(await crypto.subtle.sign('HMAC', await key, encoder.encode(jti)));
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Requires the session's CSRF token on every dashboard request that changes something:
 * the `_csrf` form field, or the `X-CSRF-Token` header htmx sends. Runs after
 * authentication; the login form, which has no session yet, relies on the Origin check.
 * Also puts the token on the request (`csrf`) for the pages' forms.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async function requireCsrfToken(c, next) {
    const token = c.get('token');
    if (token) c.set('csrf', await csrfTokenFor(c.get('deps').tokens.secret, token.jti));
    // A bearer token is never sent by a browser on its own: only the cookie needs the CSRF token.
    if (!SAFE.has(c.req.method) && token && !c.req.header('Authorization')) {
      const sent = c.req.header('X-CSRF-Token') ?? (await formField(c, '_csrf'));
      if (sent !== c.get('csrf')) throw new DomainError('forbidden', 'this form has expired or did not come from this dashboard; reload the page and try again');
    }
    await next();
  };
}

async function formField(c: Context<AppEnv>, name: string): Promise<string | undefined> {
  const type = c.req.header('Content-Type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  const value = (await c.req.parseBody())[name];
  return typeof value === 'string' ? value : undefined;
}

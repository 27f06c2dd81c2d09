import * as v from 'valibot';
import { signToken, verifyClaims, type TokenSettings } from '../auth/tokens.ts';

/** What a verified portal token says; `resolveUserSession` checks `tokenVersion` and `jti` against the database. */
export interface UserTokenClaims {
  userId: string;
  customerId: string;
  tokenVersion: number;
  jti: string;
  /** Expiry in epoch milliseconds. */
  expiresAt: number;
}

// Every portal token carries these; one without them is refused, not defaulted.
const REQUIRED_CLAIMS = ['exp', 'iat', 'iss', 'aud', 'sub', 'jti', 'ver', 'cus'];

const claimsSchema = v.object({
  sub: v.pipe(v.string(), v.startsWith('usr_')),
  cus: v.pipe(v.string(), v.startsWith('cus_')),
  jti: v.string(),
  ver: v.pipe(v.number(), v.safeInteger()),
  exp: v.number(),
});

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** The operators' token settings with the portal's audience: same secret and issuer, a different audience. */
export const portalTokenSettings = (tokens: TokenSettings, audience: string): TokenSettings => ({ ...tokens, audience });

/** Signs a portal user's token (HS256): sub = user id, `cus` = its customer, `ver` = its token version, a fresh `jti`. */
export const issueUserToken = (settings: TokenSettings, user: { id: string; customerId: string; tokenVersion: number }, nowMs: number) =>
  signToken(settings, user.id, { cus: user.customerId, ver: user.tokenVersion }, nowMs);

/**
 * Verifies a portal user's bearer token: HS256 only, signature, required claims,
 * expiry, issuer and the portal audience (an operator token has another audience and
 * is refused, as a portal token is by the operators' check). Throws `unauthorized`.
 * What can change (logout, a password reset) is checked by `resolveUserSession`.
 */
export async function verifyUserToken(settings: TokenSettings, token: string, nowMs: number): Promise<UserTokenClaims> {
  const claims = await verifyClaims(settings, keyOf(settings.secret), token, REQUIRED_CLAIMS, claimsSchema, nowMs);
  return { userId: claims.sub, customerId: claims.cus, tokenVersion: claims.ver, jti: claims.jti, expiresAt: claims.exp * 1000 };
}

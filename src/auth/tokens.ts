import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import * as v from 'valibot';
import { DomainError } from '../kernel/errors.ts';
import type { Actor } from '../kernel/context.ts';

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** What a verified token grants. */
export type OperatorRole = 'admin' | 'operator' | 'viewer';

const claimsSchema = v.object({
  sub: v.string(),
  role: v.picklist(['admin', 'operator', 'viewer']),
});

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** Signs an operator token (HS256) valid for the configured lifetime. */
export async function issueToken(settings: TokenSettings, subject: { id: string; role: OperatorRole }, nowMs: number): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + settings.ttlSeconds;
  const token = await new SignJWT({ role: subject.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keyOf(settings.secret));
  return { token, expiresAt: exp * 1000 };
}

/**
 * Verifies a bearer token: HS256 only (so `alg: none` and algorithm confusion
 * are refused), signature, expiry, issuer and audience. Throws `unauthorized`.
 */
export async function verifyToken(settings: TokenSettings, token: string, nowMs: number): Promise<Actor> {
  try {
    const { payload } = await jwtVerify(token, keyOf(settings.secret), {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      currentDate: new Date(nowMs),
    });
    const claims = v.parse(claimsSchema, payload);
    return { id: claims.sub, kind: 'operator', role: claims.role };
  } catch (error) {
    const reason =
      error instanceof joseErrors.JWTExpired ? 'token expired'
      : error instanceof joseErrors.JWTClaimValidationFailed ? `token claim ${error.claim} is not accepted`
      : 'token is not valid';
    throw new DomainError('unauthorized', reason);
  }
}

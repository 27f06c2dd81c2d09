import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import * as v from 'valibot';
import { operatorRoles } from '../../db/schema/index.ts';
import { DomainError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** What a verified token grants. */
export type OperatorRole = 'admin' | 'operator' | 'viewer';

/** What a verified token says; authentication (src/http/auth.ts) checks `tokenVersion` and `jti` against the database. */
export interface TokenClaims {
  operatorId: string;
  role: OperatorRole;
  tokenVersion: number;
  jti: string;
  /** Expiry in epoch milliseconds. */
  expiresAt: number;
}

// Every token this API issues carries these; one without them is refused, not defaulted.
const REQUIRED_CLAIMS = ['exp', 'iat', 'iss', 'aud', 'sub', 'jti', 'ver'];

const claimsSchema = v.object({
  sub: v.string(),
  jti: v.string(),
  ver: v.pipe(v.number(), v.safeInteger()),
  exp: v.number(),
  role: v.picklist(operatorRoles),
});

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** Signs an operator token (HS256) valid for the configured lifetime, with a fresh `jti` and the operator's token version. */
export async function issueToken(
  settings: TokenSettings,
  subject: { id: string; role: OperatorRole; tokenVersion: number },
  nowMs: number,
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + settings.ttlSeconds;
  const token = await new SignJWT({ role: subject.role, ver: subject.tokenVersion })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setJti(newId('tok', nowMs))
    .setSubject(subject.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keyOf(settings.secret));
  return { token, expiresAt: exp * 1000 };
}

function reasonFor(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return error.reason === 'missing' ? `token claim ${error.claim} is missing` : `token claim ${error.claim} is not accepted`;
  }
  if (error instanceof v.ValiError) return `token claim ${v.getDotPath(error.issues[0]) ?? 'set'} is not accepted`;
  return 'token is not valid';
}

/**
 * Verifies a bearer token: HS256 only (so `alg: none` and algorithm confusion
 * are refused), signature, the required claims, expiry, issuer and audience.
 * Throws `unauthorized` naming the problem.
 */
export async function verifyToken(settings: TokenSettings, token: string, nowMs: number): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, keyOf(settings.secret), {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: REQUIRED_CLAIMS,
      currentDate: new Date(nowMs),
    });
    const claims = v.parse(claimsSchema, payload);
    return { operatorId: claims.sub, role: claims.role, tokenVersion: claims.ver, jti: claims.jti, expiresAt: claims.exp * 1000 };
  } catch (error) {
    throw new DomainError('unauthorized', reasonFor(error));
  }
}

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
export type OperatorRole = (typeof operatorRoles)[number];

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

/**
 * A compact JWS as this API signs it: three segments of unpadded base64url (RFC 7515 §2).
 * jose's decoder also takes padding and the standard alphabet, so `<token>=` would verify
 * as the same token; a token is one exact text, and any other spelling is refused.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Tokens remembered as verified, per settings; past this the oldest is forgotten. */
const VERIFIED_CACHE_SIZE = 10_000;

interface Verifier {
  key: Promise<CryptoKey>;
  /** Token text → its claims, for tokens whose signature and claims were checked once. */
  verified: Map<string, TokenClaims>;
}

// Per settings object (built once at start): the imported HMAC key, and the tokens already checked.
const verifiers = new WeakMap<TokenSettings, Verifier>();

function verifierFor(settings: TokenSettings): Verifier {
  let verifier = verifiers.get(settings);
  if (!verifier) {
    const key = crypto.subtle.importKey('raw', keyOf(settings.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    verifiers.set(settings, (verifier = { key, verified: new Map() }));
  }
  return verifier;
}

function remember(verifier: Verifier, token: string, claims: TokenClaims): void {
  if (verifier.verified.size >= VERIFIED_CACHE_SIZE) verifier.verified.delete(verifier.verified.keys().next().value!);
  verifier.verified.set(token, claims);
}

/**
 * Signs a token (HS256) for `subject` with the settings' issuer, audience and lifetime,
 * a fresh `jti` and the given private claims. Operators' and portal users' tokens both.
 */
export async function signToken(settings: TokenSettings, subject: string, claims: Record<string, unknown>, nowMs: number): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + settings.ttlSeconds;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setJti(newId('tok', nowMs))
    .setSubject(subject)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keyOf(settings.secret));
  return { token, expiresAt: exp * 1000 };
}

/** Signs an operator token valid for the configured lifetime, with the operator's role and token version. */
export const issueToken = (settings: TokenSettings, subject: { id: string; role: OperatorRole; tokenVersion: number }, nowMs: number) =>
  signToken(settings, subject.id, { role: subject.role, ver: subject.tokenVersion }, nowMs);

/** Why a token was refused, in words for the 401's detail (jose's and the claim schema's errors). */
export function tokenRefusal(error: unknown): string {
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
 *
 * A token's text is checked once: its claims are remembered until it expires, since
 * the same text always carries the same signature and claims. What can change (a
 * revoked token, a disabled operator, a new token version) is in the database and
 * checked on every request by `resolveSession`.
 */
export async function verifyToken(settings: TokenSettings, token: string, nowMs: number): Promise<TokenClaims> {
  const verifier = verifierFor(settings);
  const known = verifier.verified.get(token);
  if (known && nowMs < known.expiresAt) return known;
  const claims = await verifyClaims(settings, await verifier.key, token, REQUIRED_CLAIMS, claimsSchema, nowMs);
  const verified: TokenClaims = { operatorId: claims.sub, role: claims.role, tokenVersion: claims.ver, jti: claims.jti, expiresAt: claims.exp * 1000 };
  remember(verifier, token, verified);
  return verified;
}

/**
 * Checks a token (exactly three unpadded base64url segments; HS256 only, so `alg: none` and
 * algorithm confusion are refused; signature, the required claims, expiry, issuer and
 * audience) and parses its claims with `schema`.
 * Throws `unauthorized` naming the problem. Operators' and portal users' tokens both.
 */
export async function verifyClaims<S extends v.GenericSchema>(
  settings: TokenSettings,
  key: CryptoKey | Uint8Array,
  token: string,
  requiredClaims: string[],
  schema: S,
  nowMs: number,
): Promise<v.InferOutput<S>> {
  if (!COMPACT_JWS.test(token)) throw new DomainError('unauthorized', 'token is not a JWT of three unpadded base64url segments');
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: settings.issuer, audience: settings.audience, requiredClaims, currentDate: new Date(nowMs) });
    return v.parse(schema, payload);
  } catch (error) {
    throw new DomainError('unauthorized', tokenRefusal(error));
  }
}

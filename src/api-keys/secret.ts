import { sha256Hex } from '../kernel/hash.ts';

/** Every key starts so; the bearer scheme tells a key from a JWT by it. */
export const KEY_PREFIX = 'sk_live_';
const KEY_SHAPE = /^sk_live_(key_[0-9A-Z]{26})_([0-9a-f]{64})$/;

/** 32 random bytes as hex: the part of a key that is shown once and stored only hashed. */
export function newSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The key a program sends: `sk_live_<public id>_<secret>`. */
export const formatKey = (id: string, secret: string) => `${KEY_PREFIX}${id}_${secret}`;

/** The public id and secret of a presented key, or null when it is not shaped like one. */
export function parseKey(token: string): { id: string; secret: string } | null {
  const match = KEY_SHAPE.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** What is stored of a secret. */
export const hashSecret = (secret: string) => sha256Hex(secret);

/** Compares two hex digests in time independent of where they differ. */
export function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

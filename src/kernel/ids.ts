/**
 * Time-ordered identifiers: `<prefix>_<ULID>`. Lexical order equals creation order
 * (monotonic within one millisecond), which keyset pagination relies on.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * An id's prefix: 2 to 4 lowercase letters naming the kind of thing (`cus`, `inv`, …). A domain
 * picks its own; test/conventions.test.ts checks that no two domains mint the same one.
 */
export type IdPrefix = Lowercase<string>;

let lastMs = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits -> 16 base32 chars, 5 bits at a time.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  return out;
}

/** Increments the random part so ids made in the same millisecond stay ordered. */
function increment(bytes: Uint8Array): Uint8Array {
  const next = bytes.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 255) {
      next[i]! += 1;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

/** A new ULID for the given time. */
export function ulid(ms: number): string {
  if (ms <= lastMs) {
    lastRandom = increment(lastRandom);
    ms = lastMs;
  } else {
    lastMs = ms;
    lastRandom = crypto.getRandomValues(new Uint8Array(10));
  }
  return encodeTime(ms) + encodeRandom(lastRandom);
}

/** A new prefixed id, e.g. `cus_01J…`. */
export function newId(prefix: IdPrefix, ms: number = Date.now()): string {
  return `${prefix}_${ulid(ms)}`;
}

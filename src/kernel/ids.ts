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
/** The last id's time, encoded: ids made in the same millisecond share it. */
let lastTime = '';
/** The last id's 80 random bits, encoded: 16 characters of 5 bits each. */
let lastRandom = '0'.repeat(16);

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

/**
 * Adds one to the random part so ids made in the same millisecond stay ordered. The 80 bits are
 * exactly 16 base32 digits, so adding one to the number is adding one to its text, with the carry
 * (past the largest it wraps to zero): a batch's ids cost a character each, not a re-encoding.
 */
function increment(text: string): string {
  for (let i = text.length - 1; i >= 0; i--) {
    const digit = ALPHABET.indexOf(text[i]!);
    if (digit < 31) return text.slice(0, i) + ALPHABET[digit + 1] + '0'.repeat(text.length - 1 - i);
  }
  return '0'.repeat(text.length);
}

/** A new ULID for the given time. */
export function ulid(ms: number): string {
  if (ms <= lastMs) {
    lastRandom = increment(lastRandom);
  } else {
    lastMs = ms;
    lastTime = encodeTime(ms);
    lastRandom = encodeRandom(crypto.getRandomValues(new Uint8Array(10)));
  }
  return lastTime + lastRandom;
}

/** A new prefixed id, e.g. `cus_01J…`. */
export function newId(prefix: IdPrefix, ms: number = Date.now()): string {
  return `${prefix}_${ulid(ms)}`;
}

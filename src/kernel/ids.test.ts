import { afterEach, describe, expect, test } from 'bun:test';
import { newId, ulid } from './ids.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The 80 random bits of a ULID, as a number. */
const randomPart = (id: string) => [...id.slice(-16)].reduce((n, ch) => n * 32n + BigInt(ALPHABET.indexOf(ch)), 0n);
const realRandom = crypto.getRandomValues.bind(crypto);

afterEach(() => {
  crypto.getRandomValues = realRandom;
});

describe('ulid', () => {
  test('ids of one millisecond count up by one from a random start, carrying across digits and wrapping past the largest', () => {
    let ms = Date.UTC(2030, 0, 1);
    for (const start of [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd], [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xfe], [1, 2, 3, 4, 5, 6, 7, 8, 9, 0x1e]]) {
      crypto.getRandomValues = (<T extends ArrayBufferView>(array: T) => (new Uint8Array(array.buffer).set(start), array)) as typeof crypto.getRandomValues;
      ms += 1;
      const ids = Array.from({ length: 40 }, () => ulid(ms));
      const first = start.reduce((n, byte) => n * 256n + BigInt(byte), 0n);
      ids.forEach((id, i) => {
        expect(id).toHaveLength(26);
        expect(id.slice(0, 10)).toBe(ids[0]!.slice(0, 10));
        expect(randomPart(id)).toBe((first + BigInt(i)) % 2n ** 80n);
      });
      // Sorted as text in the order made, except across the wrap (the largest value, then zero).
      if (start[0] !== 0xff) expect([...ids].sort()).toEqual(ids);
    }
  });

  test('a later millisecond starts from new random bits after the earlier one', () => {
    const a = newId('tst', Date.UTC(2031, 0, 1));
    const b = newId('tst', Date.UTC(2031, 0, 1) + 1);
    expect(a < b).toBe(true);
    expect(b.startsWith('tst_')).toBe(true);
  });
});

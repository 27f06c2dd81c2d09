import { describe, expect, test } from 'bun:test';
import { invalidUtf8At, loneSurrogatePaths, mayHoldLoneSurrogate, undecodableParams } from './well-formed-text.ts';

const strict = new TextDecoder('utf-8', { fatal: true });
const decodes = (bytes: Uint8Array) => {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

describe('invalidUtf8At', () => {
  test('finds the first byte that starts no character: a bad continuation, an overlong form, a surrogate, past U+10FFFF, cut short', () => {
    const at = (...bytes: number[]) => invalidUtf8At(new Uint8Array(bytes));
    expect(at(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80)).toBe(-1); // aé€😀
    expect(at(0x61, 0xc3, 0x28)).toBe(1);
    expect(at(0xc0, 0xaf)).toBe(0);
    expect(at(0xe0, 0x80, 0xaf)).toBe(0);
    expect(at(0x61, 0xed, 0xa0, 0x80)).toBe(1);
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0);
    expect(at(0xf5)).toBe(0);
    expect(at(0x61, 0x62, 0xe2, 0x82)).toBe(2);
  });

  test('agrees with the fatal TextDecoder on many random byte strings', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed);
    for (let n = 0; n < 5000; n++) {
      // Mostly high bytes, so multi-byte forms, good and bad, are common.
      const bytes = new Uint8Array(1 + (next() % 8)).map(() => (next() % 3 === 0 ? next() % 0x80 : 0x80 + (next() % 0x80)));
      expect({ bytes: [...bytes], valid: invalidUtf8At(bytes) === -1 }).toEqual({ bytes: [...bytes], valid: decodes(bytes) });
    }
  });
});

describe('loneSurrogatePaths', () => {
  test('names strings with a lone surrogate, and objects whose keys have one; pairs are fine', () => {
    expect(loneSurrogatePaths({ a: 'ok 😀', b: 'x\ud800', c: [{ d: '\udc00y' }], e: { '\udbff': 1 } })).toEqual(['b', 'c.0.d', 'e']);
    expect(loneSurrogatePaths('\ud83d')).toEqual(['']);
    expect(loneSurrogatePaths({ n: 1, t: true, z: null })).toEqual([]);
  });
});

describe('mayHoldLoneSurrogate', () => {
  test('is true for every JSON text that parses into a lone surrogate, escaped or raw, in a value or a key', () => {
    for (const text of ['{"a":"x\\ud800"}', '{"a":"\\uDC00"}', '{"\\udbff":1}', '{"a":"\\uDfFf"}', '["\ud800"]', '{"a":"\udc00"}']) {
      expect(loneSurrogatePaths(JSON.parse(text)).length).toBe(1);
      expect(mayHoldLoneSurrogate(text)).toBe(true);
    }
  });

  test('is false for text without surrogates, so the walk is skipped only where it finds nothing', () => {
    for (const text of ['{"records":[{"id":"u-1","model":"gpt-x","tokens":100}]}', '{"a":"\\u00e9 \\ud7ff \\ue000 é €"}', '{"a":"\\\\ud"}']) {
      expect(mayHoldLoneSurrogate(text)).toBe(false);
      expect(loneSurrogatePaths(JSON.parse(text))).toEqual([]);
    }
  });
});

describe('undecodableParams', () => {
  test('names query and path parameters whose percent-encoding is not UTF-8', () => {
    expect(undecodableParams('http://x/v1/customers?q=%C3%28&limit=2&ok=%E2%82%AC', undefined, 'query')).toEqual([{ field: 'q', message: expect.stringContaining('UTF-8') }]);
    expect(undecodableParams('http://x/v1/customers/%FF/users/usr_1', '/v1/customers/:id/users/:userId', 'param')).toEqual([{ field: 'id', message: expect.stringContaining('UTF-8') }]);
    expect(undecodableParams('http://x/v1/customers/cus_1?q=100%25', '/v1/customers/:id', 'param')).toEqual([]);
    expect(undecodableParams('http://x/v1/customers?q=100%25', undefined, 'query')).toEqual([]);
  });
});

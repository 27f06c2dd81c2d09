import { describe, expect, test } from 'bun:test';
import { fieldAt, findDuplicateKeys } from './json-duplicates.ts';

describe('findDuplicateKeys', () => {
  test('finds a repeated key at the top, in nested objects and inside arrays, by path', () => {
    expect(findDuplicateKeys('{"role":"viewer","role":"admin"}')).toEqual(['role']);
    expect(findDuplicateKeys('{"a":{"b":{"c":1,"c":2}}}')).toEqual(['a.b.c']);
    expect(findDuplicateKeys('{"records":[{"x":1},{"x":1,"y":[1,{"z":0,"z":0}],"x":2}]}')).toEqual(['records.1.y.1.z', 'records.1.x']);
    expect(findDuplicateKeys('[[{"k":1,"k":1}]]')).toEqual(['0.0.k']);
  });

  test('compares keys after unescaping, and is not fooled by quotes, braces or commas inside strings', () => {
    expect(findDuplicateKeys('{"role":"viewer","\\u0072ole":"admin"}')).toEqual(['role']);
    expect(findDuplicateKeys('{"a\\"b":1,"a\\"b":2}')).toEqual(['a"b']);
    expect(findDuplicateKeys('{"a":"\\\\","b":"{\\"a\\":1,","c":"]"}')).toEqual([]);
    expect(findDuplicateKeys('{"a":"x\\\\\\"y","a":1}')).toEqual(['a']);
  });

  test('the same key in different objects, or a key equal to a value, is not a duplicate', () => {
    expect(findDuplicateKeys('{"a":{"id":1},"b":{"id":1},"c":[{"id":1},{"id":2}],"id":"id"}')).toEqual([]);
    expect(findDuplicateKeys(' { "__proto__" : 1 , "constructor" : 2 } ')).toEqual([]);
    expect(findDuplicateKeys('"just a string"')).toEqual([]);
    expect(findDuplicateKeys('42')).toEqual([]);
  });

  test('takes linear time on 1 MiB bodies built to be slow', () => {
    const MiB = 1024 * 1024;
    const bodies = [
      JSON.stringify({ s: '\\'.repeat(MiB / 2) }), // a long run of backslashes
      JSON.stringify({ s: '\\"'.repeat(MiB / 4) }), // many escaped quotes
      '['.repeat(MiB / 2) + ']'.repeat(MiB / 2), // deep nesting
      JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`key-${i}`, i]))), // many keys
      JSON.stringify({ records: Array.from({ length: 20_000 }, (_, i) => ({ id: `r${i}`, tokens: i })) }),
    ];
    for (const body of bodies) {
      const started = performance.now();
      expect(findDuplicateKeys(body)).toEqual([]);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});

describe('fieldAt', () => {
  test('names the field being written where a prefix of a JSON text ends', () => {
    expect(fieldAt('{"name":"Bad ')).toBe('name');
    expect(fieldAt('{"a":1,"records":[{"x":1},{"model":"gp')).toBe('records.1.model');
    expect(fieldAt('{"metadata":{"k')).toBe('metadata');
    expect(fieldAt('{"n')).toBe('');
    expect(fieldAt('{"a\\"b":"x')).toBe('a"b');
    expect(fieldAt('')).toBe('');
  });
});

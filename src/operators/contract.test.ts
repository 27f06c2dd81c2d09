import { describe, expect, test } from 'bun:test';
import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { password } from './contract.ts';

describe('password', () => {
  test('counts characters as the document does: code points, not UTF-16 units', () => {
    // Six emoji are 12 UTF-16 units but 6 characters for JSON Schema's minLength: too short.
    expect(v.safeParse(password, '😀'.repeat(6)).success).toBe(false);
    expect(v.safeParse(password, '😀'.repeat(12)).success).toBe(true);
    expect(v.safeParse(password, '😀'.repeat(200)).success).toBe(true);
    expect(v.safeParse(password, '😀'.repeat(201)).success).toBe(false);
  });

  test('the document states the same limits', () => {
    expect(toJsonSchema(password, { errorMode: 'ignore' })).toMatchObject({ type: 'string', minLength: 12, maxLength: 200 });
  });
});

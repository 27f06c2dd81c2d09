import { describe, expect, test } from 'bun:test';
import { describeError, rootCause } from './errors.ts';

describe('describeError describes anything thrown, and always ends', () => {
  test('a thrown string, number, boolean, null or undefined is described as itself', () => {
    expect(describeError('disk full')).toBe('disk full');
    expect(describeError(42)).toBe('42');
    expect(describeError(false)).toBe('false');
    expect(describeError(null)).toBe('null');
    expect(describeError(undefined)).toBe('undefined');
  });

  test('a thrown object is described by its message, or as JSON', () => {
    expect(describeError({ message: 'from a plain object' })).toBe('from a plain object');
    expect(describeError({ code: 'SQLITE_BUSY', errno: 5 })).toBe('{"code":"SQLITE_BUSY","errno":5}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeError(cyclic)).toBe('[object Object]');
    expect(describeError({ big: 1n })).toBe('[object Object]');
  });

  test('nested causes are described outermost first, whatever their type', () => {
    const error = new Error('insert failed', { cause: new Error('SQLITE_BUSY', { cause: 'database is locked' }) });
    expect(describeError(error)).toBe('insert failed (cause: SQLITE_BUSY (cause: database is locked))');
    expect(describeError(new Error('wrapped', { cause: 7 }))).toBe('wrapped (cause: 7)');
    expect(rootCause(error)).toBe('database is locked');
  });

  test('a cause cycle ends', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(describeError(a)).toBe('a (cause: b (cause: … cycle))');
    expect(rootCause(a)).toBe('b');
    const self = new Error('self');
    (self as { cause?: unknown }).cause = self;
    expect(describeError(self)).toBe('self (cause: … cycle)');
  });
});

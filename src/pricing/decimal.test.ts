import { describe, expect, test } from 'bun:test';
import { formatDecimal, parseDecimal, roundToMinorUnits } from './decimal.ts';

describe('decimal prices of minor units', () => {
  test('parse exactly into 10^-12 minor units and print back in the shortest form', () => {
    expect(parseDecimal('0.00025')).toBe(250_000_000n);
    expect(parseDecimal('7')).toBe(7_000_000_000_000n);
    expect(parseDecimal('0.000000000001')).toBe(1n);
    expect(parseDecimal('999999999999999.999999999999')).toBe(999_999_999_999_999_999_999_999_999n);
    for (const text of ['0', '0.25', '41.5', '0.000000000001', '1500', '999999999999999.999999999999']) expect(formatDecimal(parseDecimal(text))).toBe(text);
    expect(formatDecimal(parseDecimal('007.250'))).toBe('7.25');
    expect(formatDecimal(-1_500_000_000_000n)).toBe('-1.5');
  });

  test('refuse what is no price (a bug upstream: the API validates first)', () => {
    for (const bad of ['-1', '1e3', '', '.5', '0.0000000000001', '1000000000000000']) expect(() => parseDecimal(bad)).toThrow(RangeError);
  });

  test('round to whole minor units half away from zero', () => {
    expect(roundToMinorUnits(parseDecimal('0.5'))).toBe(1n);
    expect(roundToMinorUnits(parseDecimal('2.5'))).toBe(3n);
    expect(roundToMinorUnits(parseDecimal('2.499999999999'))).toBe(2n);
    expect(roundToMinorUnits(-2_500_000_000_000n)).toBe(-3n);
  });
});

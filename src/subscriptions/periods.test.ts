import { describe, expect, test } from 'bun:test';
import { addInterval, DAY_MS, periodContaining, trialEnd } from './periods.ts';

const utc = (y: number, m: number, d: number, h = 0, min = 0, s = 0, ms = 0) => Date.UTC(y, m - 1, d, h, min, s, ms);
const iso = (ms: number) => new Date(ms).toISOString();

describe('addInterval', () => {
  const jan31 = utc(2026, 1, 31);

  test('clamps to the end of a shorter month', () => {
    expect(iso(addInterval(jan31, 'month', 1))).toBe('2026-02-28T00:00:00.000Z');
    expect(iso(addInterval(utc(2024, 1, 31), 'month', 1))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(addInterval(jan31, 'month', 3))).toBe('2026-04-30T00:00:00.000Z');
    expect(iso(addInterval(utc(2026, 3, 31), 'month', -1))).toBe('2026-02-28T00:00:00.000Z');
  });

  test('keeps the anchor day once the month is long enough again', () => {
    expect(iso(addInterval(jan31, 'month', 2))).toBe('2026-03-31T00:00:00.000Z');
    expect(iso(addInterval(jan31, 'month', 12))).toBe('2027-01-31T00:00:00.000Z');
    // Chaining from the previous boundary would drift to the 28th; that is why periods count from the anchor.
    expect(iso(addInterval(addInterval(jan31, 'month', 1), 'month', 1))).toBe('2026-03-28T00:00:00.000Z');
  });

  test('years are twelve months, with Feb 29 clamped in common years', () => {
    const leapDay = utc(2024, 2, 29);
    expect(iso(addInterval(leapDay, 'year', 1))).toBe('2025-02-28T00:00:00.000Z');
    expect(iso(addInterval(leapDay, 'year', 4))).toBe('2028-02-29T00:00:00.000Z');
    expect(addInterval(utc(2026, 5, 15), 'year', 2)).toBe(addInterval(utc(2026, 5, 15), 'month', 24));
  });

  test('keeps the time of day to the millisecond; zero adds nothing', () => {
    expect(iso(addInterval(utc(2026, 1, 31, 15, 30, 0, 123), 'month', 1))).toBe('2026-02-28T15:30:00.123Z');
    expect(addInterval(utc(2026, 1, 31, 23, 59, 59, 999), 'month', 0)).toBe(utc(2026, 1, 31, 23, 59, 59, 999));
  });

  test('refuses non-integer input', () => {
    expect(() => addInterval(jan31 + 0.5, 'month', 1)).toThrow(RangeError);
    expect(() => addInterval(jan31, 'month', 1.5)).toThrow(RangeError);
  });
});

describe('periodContaining', () => {
  const jan31 = utc(2026, 1, 31);

  test('finds the half-open period around a time', () => {
    expect(periodContaining(jan31, 'month', jan31)).toEqual({ index: 0, start: jan31, end: utc(2026, 2, 28) });
    expect(periodContaining(jan31, 'month', utc(2026, 2, 14))).toEqual({ index: 0, start: jan31, end: utc(2026, 2, 28) });
    expect(periodContaining(jan31, 'month', utc(2026, 2, 28) - 1).index).toBe(0);
    expect(periodContaining(jan31, 'month', utc(2026, 2, 28))).toEqual({ index: 1, start: utc(2026, 2, 28), end: utc(2026, 3, 31) });
    expect(periodContaining(jan31, 'month', utc(2026, 3, 31))).toEqual({ index: 2, start: utc(2026, 3, 31), end: utc(2026, 4, 30) });
  });

  test('periods have their true lengths: 28 days in February, 31 in March', () => {
    const feb = periodContaining(jan31, 'month', utc(2026, 2, 1));
    const mar = periodContaining(jan31, 'month', utc(2026, 3, 1));
    expect((feb.end - feb.start) / DAY_MS).toBe(28);
    expect((mar.end - mar.start) / DAY_MS).toBe(31);
  });

  test('respects the anchor time of day when the calendar month has already turned', () => {
    const anchor = utc(2026, 1, 15, 12);
    expect(periodContaining(anchor, 'month', utc(2026, 2, 15, 11, 59, 59, 999))).toEqual({ index: 0, start: anchor, end: utc(2026, 2, 15, 12) });
    expect(periodContaining(anchor, 'month', utc(2026, 2, 15, 12)).index).toBe(1);
  });

  test('far from the anchor, still from the anchor day', () => {
    expect(periodContaining(jan31, 'month', utc(2036, 1, 30))).toEqual({ index: 119, start: utc(2035, 12, 31), end: utc(2036, 1, 31) });
  });

  test('yearly periods from a leap day', () => {
    const leapDay = utc(2024, 2, 29);
    expect(periodContaining(leapDay, 'year', utc(2025, 2, 27))).toEqual({ index: 0, start: leapDay, end: utc(2025, 2, 28) });
    expect(periodContaining(leapDay, 'year', utc(2025, 2, 28))).toEqual({ index: 1, start: utc(2025, 2, 28), end: utc(2026, 2, 28) });
    expect(periodContaining(leapDay, 'year', utc(2028, 3, 1))).toEqual({ index: 4, start: utc(2028, 2, 29), end: utc(2029, 2, 28) });
  });

  test('there is no period before the anchor', () => {
    expect(() => periodContaining(jan31, 'month', jan31 - 1)).toThrow(RangeError);
  });
});

describe('trialEnd', () => {
  test('adds whole UTC days', () => {
    expect(trialEnd(utc(2026, 1, 1), 14)).toBe(utc(2026, 1, 15));
    expect(trialEnd(utc(2026, 1, 25, 9, 30), 14)).toBe(utc(2026, 2, 8, 9, 30));
    expect(trialEnd(utc(2024, 2, 20), 10)).toBe(utc(2024, 3, 1)); // through Feb 29
    expect(trialEnd(utc(2026, 3, 20), 14) - utc(2026, 3, 20)).toBe(14 * 86_400_000); // no DST in UTC
  });

  test('no trial ends where it starts; bad day counts are refused', () => {
    expect(trialEnd(utc(2026, 1, 1), 0)).toBe(utc(2026, 1, 1));
    expect(() => trialEnd(utc(2026, 1, 1), -1)).toThrow(RangeError);
    expect(() => trialEnd(utc(2026, 1, 1), 1.5)).toThrow(RangeError);
  });
});

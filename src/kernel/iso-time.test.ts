import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { isCalendarDate, realTimestamp } from './iso-time.ts';

describe('realTimestamp', () => {
  test('days that exist pass, leap days only in leap years', () => {
    for (const ok of ['2024-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2026-01-31T23:59:59.999Z', '2026-04-30T10:00:00+02:00', '0050-02-28T00:00:00Z']) expect(v.safeParse(realTimestamp(), ok).success).toBe(true);
    for (const bad of ['2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-31T00:00:00Z']) expect(isCalendarDate(bad)).toBe(false);
  });

  test('an impossible date names itself; a malformed time keeps the format message', () => {
    expect(v.safeParse(realTimestamp(), '2026-02-30T00:00:00Z').issues?.map((i) => i.message)).toEqual(['must be a real calendar date; 2026-02-30 does not exist']);
    expect(v.safeParse(realTimestamp(), 'yesterday').issues?.map((i) => i.message)).toEqual(['must be an ISO 8601 timestamp']);
  });
});

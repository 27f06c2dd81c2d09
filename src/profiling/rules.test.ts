import { describe, expect, test } from 'bun:test';
import { profileCustomer, segmentFor } from './rules.ts';

const base = { kind: 'sme' as const, country: 'DE', email: 'ops@acme.example', phone: '+4930123456', metadata: {}, tenureDays: 0 };

describe('profiling rules', () => {
  test('segment thresholds', () => {
    expect(segmentFor(0)).toBe('bronze');
    expect(segmentFor(20)).toBe('silver');
    expect(segmentFor(50)).toBe('gold');
    expect(segmentFor(80)).toBe('platinum');
  });

  test('a new sme is silver with explained points', () => {
    const p = profileCustomer(base);
    expect(p.segment).toBe('silver');
    expect(p.segmentPoints).toBe(20);
    expect(p.segmentReasons[0]).toBe('+20 kind is sme');
  });

  test('a large long-standing institution is platinum', () => {
    const p = profileCustomer({ ...base, kind: 'institution', metadata: { annual_revenue: 25_000_000, employees: 5000 }, tenureDays: 800 });
    expect(p.segmentPoints).toBe(40 + 40 + 20 + 20);
    expect(p.segment).toBe('platinum');
  });

  test('risk adds up the documented flags and is capped at 100', () => {
    const p = profileCustomer({ ...base, country: 'KP', email: 'x@gmail.com', phone: null });
    expect(p.riskScore).toBe(10 + 50 + 15 + 10 + 15);
    expect(p.riskReasons).toContain('+50 country KP is on the high-risk list');
    const calm = profileCustomer({ ...base, tenureDays: 400 });
    expect(calm.riskScore).toBe(10);
  });

  test('is deterministic', () => {
    expect(profileCustomer(base)).toEqual(profileCustomer(base));
  });

  test('free email domains only count against businesses', () => {
    expect(profileCustomer({ ...base, kind: 'individual', email: 'x@gmail.com' }).riskScore).toBe(25);
  });
});

describe('loyalty in the segment rules', () => {
  test('lifetime revenue and usage add documented points', () => {
    const p = profileCustomer({ ...base, revenueMajor: 1_000, usageTokens: 10_000_000 });
    expect(p.segmentPoints).toBe(20 + 10 + 10);
    expect(p.segmentReasons).toEqual(['+20 kind is sme', '+10 lifetime revenue 1000', '+10 10000000 AI tokens used', '= 40 points: silver']);
    expect(profileCustomer({ ...base, revenueMajor: 10_000 }).segmentPoints).toBe(40);
    expect(profileCustomer({ ...base, revenueMajor: 999, usageTokens: 9_999_999 }).segmentPoints).toBe(20);
  });
});

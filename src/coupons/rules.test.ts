import { expect, test } from 'bun:test';
import { couponTermsIssues, discountAmount, periodLimit } from './rules.ts';

const percent = (bps: number) => ({ percentOffBps: bps, amountOff: null });
const fixed = (amount: number) => ({ percentOffBps: null, amountOff: amount });

test('a percentage rounds half up on the eligible amount', () => {
  expect(discountAmount(percent(2000), 2900)).toBe(580);
  expect(discountAmount(percent(2500), 2)).toBe(1); // 0.5 → 1
  expect(discountAmount(percent(1250), 999)).toBe(125); // 124.875 → 125
  expect(discountAmount(percent(10_000), 4711)).toBe(4711);
});

test('a fixed amount is clamped to the eligible amount, and nothing is taken off nothing', () => {
  expect(discountAmount(fixed(5000), 2900)).toBe(2900);
  expect(discountAmount(fixed(500), 2900)).toBe(500);
  expect(discountAmount(fixed(500), 0)).toBe(0);
  expect(discountAmount(percent(5000), -1450)).toBe(0);
});

test('periods per duration', () => {
  expect(periodLimit('once', null)).toBe(1);
  expect(periodLimit('repeating', 3)).toBe(3);
  expect(periodLimit('forever', null)).toBeNull();
});

test('the cross-field rules name their field', () => {
  const now = Date.UTC(2026, 0, 1);
  expect(couponTermsIssues({ duration: 'once' }, now)).toEqual([{ field: 'percent_off_bps', message: 'give exactly one of percent_off_bps or amount_off' }]);
  expect(couponTermsIssues({ percent_off_bps: 10, amount_off: 5, currency: 'EUR', duration: 'once' }, now).map((i) => i.field)).toEqual(['amount_off']);
  expect(couponTermsIssues({ amount_off: 5, duration: 'repeating' }, now).map((i) => i.field)).toEqual(['currency', 'duration_periods']);
  expect(couponTermsIssues({ percent_off_bps: 10, duration: 'forever', duration_periods: 2, redeem_by: '2025-12-31T00:00:00Z' }, now).map((i) => i.field)).toEqual(['duration_periods', 'redeem_by']);
  expect(couponTermsIssues({ percent_off_bps: 10, duration: 'repeating', duration_periods: 3 }, now)).toEqual([]);
});

import { describe, expect, test } from 'bun:test';
import { DAY_MS } from '../subscriptions/periods.ts';
import { isPeriodClosed, usagePeriodAt } from './period.ts';

const APRIL_1 = Date.UTC(2026, 3, 1);
const APRIL_15 = Date.UTC(2026, 3, 15);
const MAY_15 = Date.UTC(2026, 4, 15);
const trialing = { createdAt: APRIL_1, anchor: APRIL_15, trialEnd: APRIL_15 };
const plain = { createdAt: APRIL_1, anchor: APRIL_1, trialEnd: null };

describe('usage periods', () => {
  test('a trial is a period of its own, then billing periods from its end', () => {
    expect(usagePeriodAt(trialing, 'month', APRIL_1)).toEqual({ start: APRIL_1, end: APRIL_15, trial: true });
    expect(usagePeriodAt(trialing, 'month', APRIL_15 - 1)).toEqual({ start: APRIL_1, end: APRIL_15, trial: true });
    expect(usagePeriodAt(trialing, 'month', APRIL_15)).toEqual({ start: APRIL_15, end: MAY_15, trial: false });
    expect(usagePeriodAt(trialing, 'month', APRIL_1 - 1)).toBeNull();
  });

  test('without a trial, periods start at creation and nothing comes before', () => {
    expect(usagePeriodAt(plain, 'month', APRIL_1 + DAY_MS)).toEqual({ start: APRIL_1, end: Date.UTC(2026, 4, 1), trial: false });
    expect(usagePeriodAt(plain, 'month', APRIL_1 - 1)).toBeNull();
  });

  test('periods before the current one are closed (billed), the current one and later are open', () => {
    const renewed = { currentPeriodStart: APRIL_15 };
    expect(isPeriodClosed(renewed, { start: APRIL_1 })).toBe(true);
    expect(isPeriodClosed(renewed, { start: APRIL_15 })).toBe(false);
    expect(isPeriodClosed(renewed, { start: MAY_15 })).toBe(false);
  });
});

import { describe, expect, test } from 'bun:test';
import { invoiceTotals } from './totals.ts';

describe('invoice totals', () => {
  test('tax on the subtotal, rounded half up once', () => {
    // 2900 + 1 = 2901; 19 % is 551.19 → 551
    expect(invoiceTotals({ lineAmounts: [2900, 1], currency: 'EUR', taxRateBps: 1900, creditBalance: 0 })).toEqual({
      subtotal: 2901, tax: 551, total: 3452, creditApplied: 0, amountDue: 3452, creditGranted: 0,
    });
    // 50 × 19 % = 9.5 → 10 (half up, not to even)
    expect(invoiceTotals({ lineAmounts: [50], currency: 'EUR', taxRateBps: 1900, creditBalance: 0 }).tax).toBe(10);
  });

  test('credit is applied up to the total, the rest stays', () => {
    expect(invoiceTotals({ lineAmounts: [9900], currency: 'EUR', taxRateBps: 0, creditBalance: 290 })).toMatchObject({ creditApplied: 290, amountDue: 9610 });
    expect(invoiceTotals({ lineAmounts: [200], currency: 'EUR', taxRateBps: 0, creditBalance: 290 })).toMatchObject({ creditApplied: 200, amountDue: 0 });
  });

  test('a negative invoice (downgrade credit larger than the fee) is owed to the customer as credit', () => {
    // −4950 + 1450 = −3500; tax −665 (−3500 × 19 % = −665); total −4165
    expect(invoiceTotals({ lineAmounts: [1450, -4950], currency: 'EUR', taxRateBps: 1900, creditBalance: 100 })).toEqual({
      subtotal: -3500, tax: -665, total: -4165, creditApplied: 0, amountDue: 0, creditGranted: 4165,
    });
  });

  test('no lines is a zero invoice; mixing in a fractional amount is refused', () => {
    expect(invoiceTotals({ lineAmounts: [], currency: 'JPY', taxRateBps: 1000, creditBalance: 0 })).toMatchObject({ total: 0, amountDue: 0 });
    expect(() => invoiceTotals({ lineAmounts: [0.5], currency: 'EUR', taxRateBps: 0, creditBalance: 0 })).toThrow(RangeError);
    expect(() => invoiceTotals({ lineAmounts: [1], currency: 'EUR', taxRateBps: 0, creditBalance: -1 })).toThrow(RangeError);
  });
});

import { expect, test } from 'bun:test';
import { overageDue } from './period-billing.ts';
import { measure, type PeriodUsage } from './reach.ts';

const none = { feeAmount: 0, overageAmount: 0, overageTokens: 0 };

test('each invoice bills the cumulative rounded charge minus what was billed, so the slices sum exactly', () => {
  // 3.33 per 1,000 tokens: 50,500 → 16,816.5 → 16,817; 151,000 → 50,283; 152,500 → 50,782.5 → 50,783.
  const first = overageDue(50_500, 333, 'EUR', none);
  expect(first).toEqual({ totalTokens: 50_500, tokens: 50_500, amount: 16_817, partlyBilled: false });
  const second = overageDue(151_000, 333, 'EUR', { feeAmount: 0, overageAmount: 16_817, overageTokens: 50_500 });
  expect(second).toMatchObject({ tokens: 100_500, amount: 33_466, partlyBilled: true });
  const last = overageDue(152_500, 333, 'EUR', { feeAmount: 0, overageAmount: 50_283, overageTokens: 151_000 });
  expect(last).toMatchObject({ tokens: 1_500, amount: 500 });
  expect(first.amount + second.amount + last.amount).toBe(overageDue(152_500, 333, 'EUR', none).amount);
});

test('nothing left to bill is zero tokens and zero amount', () => {
  expect(overageDue(1000, 200, 'EUR', { feeAmount: 2900, overageAmount: 200, overageTokens: 1000 })).toMatchObject({ tokens: 0, amount: 0 });
});

test('amount is fee + overage charge; a trial measures 0; tokens are the used tokens', () => {
  const usage: PeriodUsage = { subscriptionId: 's', customerId: 'c', period: { start: 0, end: 1, trial: false }, usedTokens: 100_500, overageTokens: 500, priceAmount: 2900, overagePricePer1k: 200, currency: 'EUR' };
  expect(measure('amount', usage)).toBe(3000);
  expect(measure('tokens', usage)).toBe(100_500);
  expect(measure('amount', { ...usage, period: { ...usage.period, trial: true } })).toBe(0);
});

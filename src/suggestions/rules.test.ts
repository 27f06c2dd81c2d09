import { expect, test } from 'bun:test';
import { cheapestPlan, periodCost, savingBps } from './rules.ts';

const basic = { planId: 'pln_a', priceAmount: 1000, includedTokens: 100_000, overagePricePer1k: 50, quotaPolicy: 'overage' as const };
const capped = { planId: 'pln_b', priceAmount: 500, includedTokens: 50_000, overagePricePer1k: 0, quotaPolicy: 'block' as const };

test('a period costs the fee plus the overage rounded half-up once; a block plan cannot serve more than it includes', () => {
  expect(periodCost(basic, 100_010)).toBe(1001); // 10 × 50 / 1000 = 0.5 → 1
  expect(periodCost(basic, 90_000)).toBe(1000);
  expect(periodCost(capped, 50_000)).toBe(500);
  expect(periodCost(capped, 50_001)).toBeNull();
});

test('the cheapest plan that can serve every period and costs less than now', () => {
  expect(cheapestPlan([basic, capped], [40_000, 50_000], 3000)).toMatchObject({ plan: capped, perPeriod: [500, 500], total: 1000 });
  expect(cheapestPlan([capped], [40_000, 60_000], 3000)).toBeNull();
  expect(cheapestPlan([basic], [0], 1000)).toBeNull();
  expect(savingBps(1, 3)).toBe(3333);
});

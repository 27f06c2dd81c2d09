import { expect, test } from 'bun:test';
import { computeMargins, type PricedUsage } from './margins.ts';

const jan = Date.UTC(2026, 0, 1);
const record = (overrides: Partial<PricedUsage>): PricedUsage => ({ currency: 'EUR', customerId: 'cus_a', planId: 'pln_a', subscriptionId: 'sub_a', model: 'm', tokens: 1000, occurredAt: jan + 1, periodStart: jan, costPer1kMicros: 500_000, ...overrides });
const plans = new Map([['pln_a', { id: 'pln_a', code: 'a', name: 'A', priceAmount: 1, prices: new Map([['EUR', 1]]) }]]);

test('token cost is rounded half-up once per customer, plan and month, not per record', () => {
  // Two records of 0.5 cents: 1 cent together (per record it would be 2).
  const [eur] = computeMargins({ lines: [], usage: [record({}), record({})], plans, customerNames: new Map() });
  expect(eur).toMatchObject({ currency: 'EUR', revenue: 0, token_cost: 1, margin: -1 });
  // Cost 1 against a price of 1 for its one period: not under cost (the flag needs cost > price + overage).
  expect(eur!.plans[0]).toMatchObject({ subscription_periods: 1, under_cost: false });
});

test('a plan costing more than its price and overage per period is flagged; unpriced models cost 0 and are listed; currencies stay apart', () => {
  const usage = [record({ tokens: 3000 }), record({ model: 'x', costPer1kMicros: null, tokens: 7 }), record({ currency: 'USD', customerId: 'cus_b', planId: 'pln_b', subscriptionId: 'sub_b' })];
  const result = computeMargins({ lines: [{ currency: 'EUR', customerId: 'cus_a', planId: 'pln_a', subscriptionId: 'sub_a', kind: 'subscription_fee', amount: 1, periodStart: jan }], usage, plans, customerNames: new Map() });
  expect(result.map((r) => r.currency)).toEqual(['EUR', 'USD']);
  expect(result[0]).toMatchObject({ revenue: 1, token_cost: 2, margin: -1, flagged_plans: ['pln_a'], unpriced_models: [{ model: 'x', tokens: 7 }] });
  expect(result[1]).toMatchObject({ token_cost: 1, flagged_plans: [] });
});

test('a plan is judged in each currency at its price in that currency (its default or one of its prices)', () => {
  // Default USD 100, EUR 1: 2 cents of EUR cost is over its EUR price of 1; in USD its price is 100.
  const global = new Map([['pln_a', { id: 'pln_a', code: 'a', name: 'A', priceAmount: 100, prices: new Map([['USD', 100], ['EUR', 1]]) }]]);
  const usage = [record({ tokens: 4000 }), record({ currency: 'USD', tokens: 4000 })];
  const [eur, usd] = computeMargins({ lines: [], usage, plans: global, customerNames: new Map() });
  expect([eur!.currency, eur!.flagged_plans, usd!.currency, usd!.flagged_plans]).toEqual(['EUR', ['pln_a'], 'USD', []]);
});

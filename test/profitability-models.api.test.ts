import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { manualClock } from '../src/kernel/clock.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * Revenue per model from a plan whose token prices differ per model (EUR, minor units):
 *
 *   ai_tokens per_unit: gpt-4o 0.001, claude 0.0005, any other model 0.0002 (the default price)
 *   records (Jan 5):  gpt-4o 30,000   claude 10,000   mistral 10,000   llama 5,000
 *   lines:            gpt-4o 30,000 × 0.001 = 30;  claude 10,000 × 0.0005 = 5;
 *                     default 15,000 × 0.0002 = 3, shared by tokens: mistral 2, llama 1
 *   model costs (micros per 1k):  gpt-4o 500,000 → 15;  claude 400,000 → 4;  mistral 300,000 → 3;  llama none → 0
 *   margins: gpt-4o 15, claude 1, llama 1, mistral −1
 *
 * A second customer on a trial of the same plan uses gpt-4o: its tokens cost, its trial brings nothing.
 *   gpt-4o: 30,000 + 20,000 tokens, cost 25, revenue 30, margin 5
 */
const at = (month: number, day: number) => Date.UTC(2026, month - 1, day);
const clock = manualClock(at(1, 1));
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
  f = billingFixtures(p);
});
afterAll(() => p.close());

interface ModelRow { model: string; tokens: number; revenue: number; token_cost: number; margin: number }

describe('profitability per model', () => {
  test('revenue per model comes from the priced token charge: its own price line, and a share of the default price by tokens', async () => {
    for (const [model, micros] of [['gpt-4o', 500_000], ['claude', 400_000], ['mistral', 300_000]] as const) {
      await f.ok('POST', '/v1/model-prices', { model, currency: 'EUR', cost_per_1k_micros: micros, effective_from: '2025-12-01T00:00:00Z' }, 201);
    }
    const charge = { meter: 'ai_tokens', model: 'per_unit', unit_price: '0.0002', prices: [{ dimensions: { model: 'gpt-4o' }, unit_price: '0.001' }, { dimensions: { model: 'claude' }, unit_price: '0.0005' }] };
    const plan = await f.plan({ included_tokens: 0, overage_price_per_1k: 0, charges: [charge] });
    const trialPlan = await f.plan({ included_tokens: 0, overage_price_per_1k: 0, trial_days: 14, charges: [charge] });
    const paying = await f.customer({ payment_method: 'tok_ok' });
    const trialing = await f.customer({ payment_method: 'tok_ok' });
    await f.subscribe({ customer_id: paying.id, plan_id: plan.id });
    expect((await f.subscribe({ customer_id: trialing.id, plan_id: trialPlan.id })).status).toBe('trialing');
    clock.set(at(1, 6));
    const on = (customer: string, model: string, tokens: number) => ({ id: `${customer}-${model}`, customer_id: customer, model, tokens, occurred_at: new Date(at(1, 5)).toISOString() });
    const records = [on(paying.id, 'gpt-4o', 30_000), on(paying.id, 'claude', 10_000), on(paying.id, 'mistral', 10_000), on(paying.id, 'llama', 5_000), on(trialing.id, 'gpt-4o', 20_000)];
    const posted = await f.ok<{ accepted: number }>('POST', '/v1/usage', { records });
    expect(posted.accepted).toBe(records.length);

    const report = await f.ok<{ currencies: { currency: string; models: ModelRow[] }[] }>('GET', '/v1/reports/profitability?from=2026-01&currency=EUR');
    expect(report.currencies[0]!.models).toEqual([
      { model: 'gpt-4o', tokens: 50_000, revenue: 30, token_cost: 25, margin: 5 },
      { model: 'claude', tokens: 10_000, revenue: 5, token_cost: 4, margin: 1 },
      { model: 'llama', tokens: 5_000, revenue: 1, token_cost: 0, margin: 1 },
      { model: 'mistral', tokens: 10_000, revenue: 2, token_cost: 3, margin: -1 },
    ]);
    // The usage read prices the same charge the same way.
    const subs = await f.ok<{ data: { id: string }[] }>('GET', `/v1/subscriptions?customer_id=${paying.id}`);
    const usage = await f.ok<{ usage_amount: { amount: number } }>('GET', `/v1/subscriptions/${subs.data[0]!.id}/usage`);
    expect(usage.usage_amount.amount).toBe(30 + 5 + 3);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { subscriptionPriceOverrides, usageRecords } from '../db/schema/index.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';
import type { UsageBatchResource, UsagePeriodResource } from '../src/usage/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';

const APRIL_1 = Date.UTC(2026, 3, 1);
const clock = manualClock(APRIL_1);
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
  const meter = await p.call('POST', '/v1/meters', { body: { code: 'storage_gb', name: 'Storage', aggregation: 'max', value_property: 'gb', group_by: ['region'] } });
  expect(meter.status).toBe(201);
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

/** Token prices per model, and a default for the other models. */
const tokenCharge = {
  meter: 'ai_tokens',
  model: 'per_unit',
  unit_price: '0.0002',
  prices: [
    { dimensions: { model: 'gpt-4o' }, unit_price: '0.001' },
    { dimensions: { model: 'claude' }, unit_price: '0.0005' },
  ],
};
/** Storage with a period minimum, never used here: it bills its minimum. */
const storageCharge = { meter: 'storage_gb', model: 'graduated', tiers: [{ up_to: null, unit_price: '10' }], min_amount: 1000 };

/** A customer on a fresh plan, subscribed at APRIL_1; the clock is left a day later. */
async function subscribed(terms: Record<string, unknown>) {
  clock.set(APRIL_1);
  const plan = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `s-${tag()}`, name: 'Metered', price_amount: 2900, currency: 'USD', interval: 'month', trial_days: 0, quota_policy: 'overage', ...terms } });
  expect(plan.status).toBe(201);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + DAY_MS);
  return { customerId: customer.body.id, subId: sub.body.id, status: sub.body.status };
}

async function tokens(customerId: string, ...uses: [model: string, tokens: number][]) {
  const records = uses.map(([model, n]) => ({ id: `r-${tag()}`, customer_id: customerId, model, tokens: n, occurred_at: iso(APRIL_1 + DAY_MS) }));
  const res = await p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records } });
  expect(res.status).toBe(200);
  expect(res.body.accepted).toBe(uses.length);
}

async function usage(subId: string) {
  const res = await p.call<UsagePeriodResource>('GET', `/v1/subscriptions/${subId}/usage`);
  expect(res.status).toBe(200);
  return res.body;
}

/** round_half_up(quantity × unit price) in minor units, computed here apart from the pricing engine. */
const perUnit = (quantity: number, unitPriceTimes10k: number) => Math.floor((quantity * unitPriceTimes10k * 2 + 10_000) / 20_000);

describe('usage so far, per meter and dimension', () => {
  test('each meter shows its groups and its charge priced per dimension, with a line per price and the default for other models', async () => {
    const { customerId, subId } = await subscribed({ charges: [tokenCharge, storageCharge] });
    await tokens(customerId, ['gpt-4o', 20_000], ['gpt-4o', 10_000], ['claude', 10_001], ['mistral', 12_345], ['llama', 1000]);
    const body = await usage(subId);
    const gpt = perUnit(30_000, 10); // 0.001 → 30
    const claude = perUnit(10_001, 5); // 5.0005 → 5
    const other = perUnit(13_345, 2); // 2.669 → 3 (the default price takes both other models, rounded once)
    expect(body.meters).toEqual([
      {
        meter: 'ai_tokens',
        quantity: 53_346,
        groups: expect.arrayContaining([
          { dimensions: { model: 'gpt-4o' }, quantity: 30_000 },
          { dimensions: { model: 'claude' }, quantity: 10_001 },
          { dimensions: { model: 'mistral' }, quantity: 12_345 },
          { dimensions: { model: 'llama' }, quantity: 1000 },
        ]),
        charge: {
          model: 'per_unit',
          lines: [
            { dimensions: { model: 'gpt-4o' }, quantity: 30_000, amount: gpt, unit_price: '0.001' },
            { dimensions: { model: 'claude' }, quantity: 10_001, amount: claude, unit_price: '0.0005' },
            { dimensions: null, quantity: 13_345, amount: other, unit_price: '0.0002' },
          ],
          subtotal: gpt + claude + other,
          adjustment: 0,
          amount: gpt + claude + other,
        },
      },
      {
        meter: 'storage_gb',
        quantity: 0,
        groups: [],
        charge: { model: 'graduated', lines: [], subtotal: 0, adjustment: 1000, amount: 1000 },
      },
    ] as never);
    expect(body.meters[0]!.groups).toHaveLength(4);
    expect(body.usage_amount).toEqual({ amount: gpt + claude + other + 1000, currency: 'USD' });
    expect([gpt, claude, other]).toEqual([30, 5, 3]);
  });

  test('a plan with the token terms shows one ai_tokens charge equal to its overage charge', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 1000, quota_policy: 'overage', overage_price_per_1k: 250 });
    await tokens(customerId, ['gpt-x', 2000], ['gpt-y', 502]);
    const body = await usage(subId);
    expect(body.overage_charge).toEqual({ amount: 376, currency: 'USD' }); // 1502 × 250 / 1000 = 375.5
    expect(body.meters).toHaveLength(1);
    expect(body.meters[0]!).toMatchObject({ meter: 'ai_tokens', quantity: 2502, charge: { model: 'per_unit', lines: [{ dimensions: null, quantity: 2502, amount: 376 }], amount: 376 } });
    expect(body.usage_amount).toEqual(body.overage_charge);
  });

  test("negotiated prices take the place of the version's charge of the same meter", async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 1000, overage_price_per_1k: 250, charges: [storageCharge] });
    await tokens(customerId, ['gpt-4o', 3000]);
    const deal = { meter: 'ai_tokens', model: 'per_unit' as const, unit_price: '0.01', included_quantity: 500 };
    await p.deps.db.insert(subscriptionPriceOverrides).values({ subscriptionId: subId, version: 1, charges: [deal], createdBy: 'test', createdAt: APRIL_1 });
    const body = await usage(subId);
    // The token terms' charge (2000 over × 0.25 = 500) gives way to the deal: 2500 over × 0.01 = 25.
    expect(body.overage_charge.amount).toBe(500);
    expect(body.meters.map((m) => [m.meter, m.charge?.amount])).toEqual([
      ['storage_gb', 1000],
      ['ai_tokens', 25],
    ]);
    expect(body.meters[1]!.charge!.lines).toEqual([{ dimensions: null, quantity: 3000, amount: 25, unit_price: '0.01' }]);
    expect(body.usage_amount.amount).toBe(1025);
  });

  test('a meter with usage and no charge shows its groups and charge null, billing nothing', async () => {
    const { customerId, subId } = await subscribed({ charges: [{ meter: 'storage_gb', model: 'per_unit', unit_price: '5' }] });
    await tokens(customerId, ['gpt-4o', 700]);
    const body = await usage(subId);
    expect(body.meters).toEqual([{ meter: 'ai_tokens', quantity: 700, groups: [{ dimensions: { model: 'gpt-4o' }, quantity: 700 }], charge: null }]);
    expect(body.usage_amount).toEqual({ amount: 0, currency: 'USD' });
  });

  test('usage during a trial is shown per price with every amount 0', async () => {
    const { customerId, subId, status } = await subscribed({ trial_days: 14, charges: [tokenCharge, storageCharge] });
    expect(status).toBe('trialing');
    await tokens(customerId, ['gpt-4o', 30_000]);
    const body = await usage(subId);
    expect(body.trial).toBe(true);
    expect(body.meters).toEqual([
      { meter: 'ai_tokens', quantity: 30_000, groups: [{ dimensions: { model: 'gpt-4o' }, quantity: 30_000 }], charge: { model: 'per_unit', lines: [{ dimensions: { model: 'gpt-4o' }, quantity: 30_000, amount: 0, unit_price: '0.001' }], subtotal: 0, adjustment: 0, amount: 0 } },
    ]);
    expect(body.usage_amount).toEqual({ amount: 0, currency: 'USD' });
  });

  test('a period with no usage lists no meters and a usage amount of 0', async () => {
    const { subId } = await subscribed({ included_tokens: 1000, quota_policy: 'overage', overage_price_per_1k: 250, charges: [{ meter: 'storage_gb', model: 'per_unit', unit_price: '5' }] });
    const body = await usage(subId);
    expect(body.meters).toEqual([]);
    expect(body.usage_amount).toEqual({ amount: 0, currency: 'USD' });
  });

  test("the read comes from the period's aggregates alone: the same answer once the period's records are gone", async () => {
    const { customerId, subId } = await subscribed({ charges: [tokenCharge] });
    await tokens(customerId, ['gpt-4o', 1234], ['claude', 4321], ['other', 99]);
    const before = await usage(subId);
    expect(before.meters[0]!.quantity).toBe(1234 + 4321 + 99);
    await p.deps.db.delete(usageRecords).where(eq(usageRecords.subscriptionId, subId));
    expect((await usage(subId)).meters).toEqual(before.meters);
    expect((await usage(subId)).usage_amount).toEqual(before.usage_amount);
  });
});

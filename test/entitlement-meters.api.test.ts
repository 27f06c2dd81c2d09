import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { CheckResource, CustomerEntitlementsResource, OverrideResource } from '../src/entitlements/contract.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import type { UsageBatchResource } from '../src/usage/contract.ts';
import { createTestPlatform, customerInput, expectProblem, type TestPlatform } from './harness.ts';

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

/** gpt-4o tokens are capped at 1,000 a month, read from the ai_tokens meter; other models are not. */
const gpt4o = { type: 'metered', limit: 1000, meter: 'ai_tokens', dimensions: { model: 'gpt-4o' } };

async function subscribed(entitlements: Record<string, unknown> = { gpt4o_tokens: gpt4o }) {
  clock.set(APRIL_1);
  const plan = await p.call<PlanResource>('POST', '/v1/plans', {
    body: { code: `m-${tag()}`, name: 'AI', price_amount: 4900, currency: 'EUR', interval: 'month', included_tokens: 1_000_000, quota_policy: 'block', entitlements },
  });
  expect(plan.status).toBe(201);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + DAY_MS);
  return { plan: plan.body, customerId: customer.body.id, subId: sub.body.id };
}

let seq = 0;
async function tokens(customerId: string, model: string, n: number) {
  const res = await p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records: [{ id: `rec-${tag()}-${++seq}`, customer_id: customerId, model, tokens: n, occurred_at: new Date(clock.now()).toISOString() }] } });
  expect(res.status).toBe(200);
}

const check = (body: Record<string, unknown>) => p.call<CheckResource>('POST', '/v1/entitlements/check', { body });
async function entitlementOf(customerId: string, feature: string) {
  const res = await p.call<CustomerEntitlementsResource>('GET', `/v1/customers/${customerId}/entitlements`);
  expect(res.status).toBe(200);
  return res.body.data.find((e) => e.feature === feature);
}

describe('entitlements that name a meter', () => {
  test("the plan shows the meter; the period's usage of that meter and dimension counts against the limit, with what checks consume", async () => {
    const { plan, customerId, subId } = await subscribed();
    expect(plan.entitlements).toEqual([{ feature: 'gpt4o_tokens', ...gpt4o }] as never);

    await tokens(customerId, 'gpt-4o', 600);
    await tokens(customerId, 'gpt-4o-mini', 5000);
    expect(await entitlementOf(customerId, 'gpt4o_tokens')).toMatchObject({ type: 'metered', source: 'plan', meter: 'ai_tokens', dimensions: { model: 'gpt-4o' }, limit: 1000, used: 600, remaining: 400 });

    const consumed = await check({ customer_id: customerId, feature: 'gpt4o_tokens', consume: 300 });
    expect(consumed.body).toMatchObject({ allowed: true, consumed: 300, used: 900, remaining: 100, limit: 1000 });
    const [event] = (await p.call<Page<TypedEventResource<'feature.consumed'>>>('GET', `/v1/events?subject=${subId}&type=feature.consumed`)).body.data;
    expect(event!.data).toMatchObject({ feature: 'gpt4o_tokens', amount: 300, used: 900, limit: 1000 });

    // 900 + 200 > 1000: refused as a limit always refuses, nothing counted.
    const over = await check({ customer_id: customerId, feature: 'gpt4o_tokens', consume: 200 });
    expect(over.body).toMatchObject({ allowed: false, reason: 'limit_reached', consumed: 0, used: 900 });

    // Usage arriving through the meter fills the rest.
    await tokens(customerId, 'gpt-4o', 100);
    expect(await entitlementOf(customerId, 'gpt4o_tokens')).toMatchObject({ used: 1000, remaining: 0 });
    expect((await check({ customer_id: customerId, feature: 'gpt4o_tokens' })).body).toMatchObject({ allowed: false, reason: 'limit_reached', used: 1000 });

    // The next period starts from nothing.
    clock.set(Date.UTC(2026, 4, 2));
    expect((await check({ customer_id: customerId, feature: 'gpt4o_tokens', consume: 1000 })).body).toMatchObject({ allowed: true, used: 1000 });
  });

  test('a meter without dimensions counts all its usage; dimensions the usage never carries count none', async () => {
    const { customerId } = await subscribed({ all_tokens: { type: 'metered', limit: 50, meter: 'ai_tokens' }, output_tokens: { type: 'metered', limit: 50, meter: 'ai_tokens', dimensions: { token_type: 'output' } } });
    await tokens(customerId, 'gpt-4o', 30);
    await tokens(customerId, 'claude', 15);
    expect(await entitlementOf(customerId, 'all_tokens')).toMatchObject({ used: 45, remaining: 5 });
    // A token record carries no token_type: only its model is a dimension of it.
    expect(await entitlementOf(customerId, 'output_tokens')).toMatchObject({ used: 0 });
    expect((await check({ customer_id: customerId, feature: 'all_tokens', consume: 6 })).body).toMatchObject({ allowed: false, reason: 'limit_reached' });
    expect((await check({ customer_id: customerId, feature: 'all_tokens', consume: 5 })).body).toMatchObject({ allowed: true, used: 50 });
  });

  test('a subscription override may name a meter, checked as the plan is', async () => {
    const { customerId, subId } = await subscribed({});
    const bad = await p.call<Problem>('PUT', `/v1/subscriptions/${subId}/entitlements/eu_storage`, { body: { type: 'metered', limit: 10, meter: 'storage_gb', dimensions: { model: 'x' } } });
    expectProblem(bad, 400, 'validation');
    expect(bad.body.errors).toEqual([{ field: 'dimensions.model', message: expect.stringContaining('groups by region') }]);
    const none = await p.call<Problem>('PUT', `/v1/subscriptions/${subId}/entitlements/eu_storage`, { body: { type: 'metered', limit: 10, meter: 'no_such_meter' } });
    expect(none.body.errors).toEqual([{ field: 'meter', message: expect.stringContaining('names no meter') }]);

    const set = await p.call<OverrideResource>('PUT', `/v1/subscriptions/${subId}/entitlements/mini_tokens`, { body: { type: 'metered', limit: 100, meter: 'ai_tokens', dimensions: { model: 'gpt-4o-mini' } } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ feature: 'mini_tokens', meter: 'ai_tokens', dimensions: { model: 'gpt-4o-mini' } });
    await tokens(customerId, 'gpt-4o-mini', 70);
    expect(await entitlementOf(customerId, 'mini_tokens')).toMatchObject({ source: 'override', meter: 'ai_tokens', dimensions: { model: 'gpt-4o-mini' }, used: 70, remaining: 30 });
    expect((await check({ customer_id: customerId, feature: 'mini_tokens', consume: 31 })).body).toMatchObject({ allowed: false, reason: 'limit_reached' });
  });

  test('a plan names every wrong meter and dimension at once, and saves nothing', async () => {
    const code = `m-${tag()}`;
    const res = await p.call<Problem>('POST', '/v1/plans', {
      body: {
        code,
        name: 'AI',
        price_amount: 100,
        currency: 'EUR',
        interval: 'month',
        entitlements: { a: { type: 'metered', limit: 5, meter: 'no_such_meter' }, b: { type: 'metered', limit: 5, meter: 'ai_tokens', dimensions: { region: 'eu', model: 'gpt-4o' } }, c: { type: 'metered', limit: 5, meter: 'storage_gb', dimensions: { model: 'x' } } },
      },
    });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors!.map((e) => e.field)).toEqual(['entitlements.a.meter', 'entitlements.b.dimensions.region', 'entitlements.c.dimensions.model']);
    expect((await p.call<Page<PlanResource>>('GET', `/v1/plans?code=${code}`)).body.data).toEqual([]);

    const shape = await p.call<Problem>('POST', '/v1/plans', {
      body: { code, name: 'AI', price_amount: 100, currency: 'EUR', interval: 'month', entitlements: { sso: { type: 'boolean', meter: 'ai_tokens' }, x: { type: 'metered', limit: 1, dimensions: { model: 'a' } }, ai_tokens: { type: 'metered', meter: 'ai_tokens' } } },
    });
    expectProblem(shape, 400, 'validation');
    expect(shape.body.errors!.map((e) => e.field)).toEqual(['entitlements.sso.meter', 'entitlements.x.dimensions', 'entitlements.ai_tokens.meter']);

    const { plan } = await subscribed();
    const patch = await p.call<Problem>('PATCH', `/v1/plans/${plan.id}`, { body: { entitlements: { gpt4o_tokens: { ...gpt4o, meter: 'no_such_meter' } } } });
    expect(patch.body.errors).toEqual([{ field: 'entitlements.gpt4o_tokens.meter', message: expect.any(String) }]);
    expect((await p.call<PlanResource>('GET', `/v1/plans/${plan.id}`)).body.version).toBe(1);
  });
});

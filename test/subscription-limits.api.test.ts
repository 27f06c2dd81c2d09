import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
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
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

async function plan(terms: Record<string, unknown> = {}) {
  const res = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `l-${tag()}`, name: 'Plan', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, ...terms } });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function customer() {
  const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  expect(res.status).toBe(201);
  expect(res.body.max_subscriptions).toBe(1);
  return res.body.id;
}

/** A customer-scoped API key (a tenant) with every scope these tests use. */
async function tenantKey(customerId: string) {
  const res = await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', {
    body: { name: 'tenant', customer_id: customerId, scopes: ['customers:read', 'customers:write', 'subscriptions:read', 'subscriptions:write', 'usage:write'] },
  });
  expect(res.status).toBe(201);
  return res.body.key;
}

const subscribe = (body: Record<string, unknown>, token?: string) => p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body, ...(token ? { token } : {}) });
/** The same request, expected to be refused with a problem. */
const subscribeRefused = (body: Record<string, unknown>, token?: string) => p.call<Problem>('POST', '/v1/subscriptions', { body, ...(token ? { token } : {}) });

describe('one live subscription per customer', () => {
  test('a second is 409 subscription_exists naming the first, for an operator and for the tenant; once it is canceled another may start', async () => {
    const planId = await plan();
    const customerId = await customer();
    const first = await subscribe({ customer_id: customerId, plan_id: planId });
    expect(first.status).toBe(201);

    const again = await subscribeRefused({ customer_id: customerId, plan_id: await plan() });
    expectProblem(again, 409, 'subscription_exists');
    expect(again.body).toMatchObject({ subscription_id: first.body.id, max_subscriptions: 1, field: 'customer_id' });
    expect(again.body.detail).toContain(first.body.id);

    const key = await tenantKey(customerId);
    const byTenant = await subscribeRefused({ customer_id: customerId, plan_id: planId }, key);
    expectProblem(byTenant, 409, 'subscription_exists');
    expect(byTenant.body.subscription_id).toBe(first.body.id);

    const held = await p.call<Page<SubscriptionResource>>('GET', `/v1/customers/${customerId}/subscriptions`);
    expect(held.body.data.map((s) => s.id)).toEqual([first.body.id]);

    expect((await p.call('POST', `/v1/subscriptions/${first.body.id}/cancel`, { body: {} })).status).toBe(200);
    expect((await subscribe({ customer_id: customerId, plan_id: planId }, key)).status).toBe(201);
  });

  test('concurrent requests: exactly one subscription starts', async () => {
    const planId = await plan();
    const customerId = await customer();
    const answers = await Promise.all(Array.from({ length: 8 }, () => subscribe({ customer_id: customerId, plan_id: planId })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const held = await p.call<Page<SubscriptionResource>>('GET', `/v1/customers/${customerId}/subscriptions`);
    expect(held.body.data).toHaveLength(1);
  });

  test('an operator may allow more with max_subscriptions; a tenant may not set it', async () => {
    const customerId = await customer();
    const key = await tenantKey(customerId);
    const byTenant = await p.call<Problem>('PATCH', `/v1/customers/${customerId}`, { body: { max_subscriptions: 5 }, token: key });
    expectProblem(byTenant, 403, 'forbidden');
    expect(byTenant.body.errors).toEqual([{ field: 'max_subscriptions', message: 'only an operator may set this' }]);
    // The tenant may still change what is its own.
    expect((await p.call('PATCH', `/v1/customers/${customerId}`, { body: { name: 'Renamed by tenant' }, token: key })).status).toBe(200);
    expect((await p.call<CustomerResource>('GET', `/v1/customers/${customerId}`)).body.max_subscriptions).toBe(1);

    const viewer = await p.tokenFor('viewer');
    expectProblem(await p.call('PATCH', `/v1/customers/${customerId}`, { body: { max_subscriptions: 2 }, token: viewer }), 403, 'forbidden');
    const invalid = await p.call<Problem>('PATCH', `/v1/customers/${customerId}`, { body: { max_subscriptions: 0 } });
    expectProblem(invalid, 400, 'validation');
    expect(invalid.body.errors?.[0]?.field).toBe('max_subscriptions');

    const operator = await p.tokenFor('operator');
    const raised = await p.call<CustomerResource>('PATCH', `/v1/customers/${customerId}`, { body: { max_subscriptions: 2 }, token: operator });
    expect(raised.status).toBe(200);
    expect(raised.body.max_subscriptions).toBe(2);

    const planId = await plan();
    expect((await subscribe({ customer_id: customerId, plan_id: planId }, key)).status).toBe(201);
    const second = await subscribe({ customer_id: customerId, plan_id: await plan() }, key);
    expect(second.status).toBe(201);
    const third = await subscribeRefused({ customer_id: customerId, plan_id: planId });
    expectProblem(third, 409, 'subscription_exists');
    expect(third.body).toMatchObject({ subscription_id: second.body.id, max_subscriptions: 2 });
  });
});

describe('one trial per customer and plan', () => {
  test('after a trial of the plan, omitting trial starts without one and trial: true is 409 trial_used; another plan still has its trial', async () => {
    clock.set(APRIL_1);
    const planId = await plan({ trial_days: 14 });
    const customerId = await customer();
    const key = await tenantKey(customerId);

    const trialing = await subscribe({ customer_id: customerId, plan_id: planId }, key);
    expect(trialing.body).toMatchObject({ status: 'trialing', trial_end: new Date(APRIL_1 + 14 * DAY_MS).toISOString() });
    expect((await p.call('POST', `/v1/subscriptions/${trialing.body.id}/cancel`, { body: {} })).status).toBe(200);

    // Asking for a trial is the operator's; the operator is told the plan's trial was had.
    expectProblem(await subscribeRefused({ customer_id: customerId, plan_id: planId, trial: true }, key), 403, 'forbidden');
    const asked = await subscribeRefused({ customer_id: customerId, plan_id: planId, trial: true });
    expectProblem(asked, 409, 'trial_used');
    expect(asked.body).toMatchObject({ subscription_id: trialing.body.id, plan_id: planId, field: 'trial' });

    const plain = await subscribe({ customer_id: customerId, plan_id: planId }, key);
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ status: 'incomplete', trial_end: null });
    expect((await p.call('POST', `/v1/subscriptions/${plain.body.id}/cancel`, { body: {} })).status).toBe(200);

    // Three tries in all: one trial.
    const again = await subscribeRefused({ customer_id: customerId, plan_id: planId });
    expect(again.body).toMatchObject({ status: 'incomplete', trial_end: null });
    expect((await p.call('POST', `/v1/subscriptions/${again.body.id}/cancel`, { body: {} })).status).toBe(200);
    const all = await p.call<Page<SubscriptionResource>>('GET', `/v1/customers/${customerId}/subscriptions`);
    expect(all.body.data.filter((s) => s.trial_end !== null)).toHaveLength(1);

    const other = await subscribe({ customer_id: customerId, plan_id: await plan({ trial_days: 7 }) });
    expect(other.body.status).toBe('trialing');
  });
});

describe('usage of a customer with several subscriptions', () => {
  const record = (customerId: string, extra: Record<string, unknown> = {}) => ({
    id: `rec-${tag()}`,
    customer_id: customerId,
    model: 'gpt-test',
    tokens: 10,
    occurred_at: new Date(clock.now()).toISOString(),
    ...extra,
  });

  test('goes to the subscription it names, else to the only one whose plan meters tokens, else is ambiguous', async () => {
    clock.set(APRIL_1);
    const customerId = await customer();
    expect((await p.call('PATCH', `/v1/customers/${customerId}`, { body: { max_subscriptions: 3 } })).status).toBe(200);
    const key = await tenantKey(customerId);
    // Seats: no tokens included and blocking past them, so it meters none.
    const seats = await subscribe({ customer_id: customerId, plan_id: await plan({ included_tokens: 0, quota_policy: 'block' }) });
    const metered = await subscribe({ customer_id: customerId, plan_id: await plan({ included_tokens: 100_000, quota_policy: 'block' }) });
    clock.set(APRIL_1 + 60_000);

    const unnamed = await p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records: [record(customerId)] }, token: key });
    expect(unnamed.status).toBe(200);
    expect(unnamed.body.results[0]).toMatchObject({ status: 'accepted', subscription_id: metered.body.id });

    const named = await p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records: [record(customerId, { subscription_id: metered.body.id })] }, token: key });
    expect(named.body.results[0]).toMatchObject({ status: 'accepted', subscription_id: metered.body.id });

    // A second metered subscription: a record that names none cannot be placed.
    const overage = await subscribe({ customer_id: customerId, plan_id: await plan({ included_tokens: 0, quota_policy: 'overage', overage_price_per_1k: 10 }) });
    const ambiguous = await p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records: [record(customerId)] } });
    expect(ambiguous.body.results[0]).toMatchObject({ status: 'refused', reason: 'ambiguous_subscription', subscription_id: null });
    const placed = await p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records: [record(customerId, { subscription_id: overage.body.id })] }, token: key });
    expect(placed.body.results[0]).toMatchObject({ status: 'accepted', subscription_id: overage.body.id, overage_tokens: 10 });
    expect(seats.status).toBe(201);
  });
});

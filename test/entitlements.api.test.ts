import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { CheckResource, CustomerEntitlementsResource, OverrideResource } from '../src/entitlements/contract.ts';
import type { EventType } from '../src/events/catalog.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import type { UsagePeriodResource } from '../src/usage/contract.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

const APRIL_1 = Date.UTC(2026, 3, 1);
const clock = manualClock(APRIL_1);
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

// Sent keyed by feature; read back as a list, in this order (`listed`).
const entitlements: Record<string, { type: 'boolean' | 'metered' | 'static'; limit?: number; value?: string | number }> = {
  ai_tokens: { type: 'metered' },
  exports: { type: 'metered', limit: 5 },
  seats: { type: 'static', value: 10 },
  region: { type: 'static', value: 'eu' },
};
const listed = Object.entries(entitlements).map(([feature, terms]) => ({ feature, ...terms }));

async function createPlan(terms: Record<string, unknown> = {}) {
  const res = await p.call<PlanResource>('POST', '/v1/plans', {
    body: { code: `e-${tag()}`, name: 'Team', price_amount: 4900, currency: 'EUR', interval: 'month', included_tokens: 1000, quota_policy: 'block', features: ['sso', 'audit-log'], entitlements, ...terms },
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** A customer subscribed at APRIL_1 to a fresh plan; the clock is left a day later, inside April's period. */
async function subscribed(terms: Record<string, unknown> = {}) {
  clock.set(APRIL_1);
  const plan = await createPlan(terms);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.id } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + DAY_MS);
  return { plan, customerId: customer.body.id, subId: sub.body.id };
}

const check = (body: Record<string, unknown>, options: { token?: string; headers?: Record<string, string> } = {}) =>
  p.call<CheckResource>('POST', '/v1/entitlements/check', { body, ...options });

async function read(customerId: string) {
  const res = await p.call<CustomerEntitlementsResource>('GET', `/v1/customers/${customerId}/entitlements`);
  expect(res.status).toBe(200);
  return res.body;
}
const feature = (list: CustomerEntitlementsResource, name: string) => list.data.find((e) => e.feature === name);

async function eventsOf<T extends EventType>(subject: string, type: T) {
  const res = await p.call<Page<TypedEventResource<T>>>('GET', `/v1/events?subject=${subject}&type=${type}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('typed entitlements on plan versions', () => {
  test('a plan carries them; its features are boolean entitlements; a PATCH makes a new version', async () => {
    const plan = await createPlan();
    expect(plan.entitlements).toEqual(listed);
    expect(plan.features).toEqual(['sso', 'audit-log']);

    const patched = await p.call<PlanResource>('PATCH', `/v1/plans/${plan.id}`, { body: { entitlements: { exports: { type: 'metered', limit: 50 } } } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ version: 2, entitlements: [{ feature: 'exports', type: 'metered', limit: 50 }] });
    const v1 = await p.call<PlanResource>('GET', `/v1/plans/${plan.id}?version=1`);
    expect(v1.body.entitlements).toEqual(listed);
    const [updated] = await eventsOf(plan.id, 'plan.updated');
    expect(updated!.data.changed).toEqual(['entitlements']);
    expect(updated!.data.plan.entitlements).toEqual([{ feature: 'exports', type: 'metered', limit: 50 }]);
  });

  test('each wrong field is named', async () => {
    const res = await p.call<Problem>('POST', '/v1/plans', {
      body: {
        code: `bad-${tag()}`, name: 'Bad', price_amount: 1, currency: 'EUR', interval: 'month',
        entitlements: {
          exports: { type: 'metered' },
          seats: { type: 'static' },
          ai_tokens: { type: 'boolean' },
          sso: { type: 'boolean', limit: 3 },
          kind: { type: 'unlimited' },
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([
      { field: 'entitlements.exports.limit', message: expect.stringContaining('required for a metered entitlement') },
      { field: 'entitlements.seats.value', message: expect.stringContaining('string or a number') },
      { field: 'entitlements.ai_tokens.type', message: expect.stringContaining('metered for ai_tokens') },
      { field: 'entitlements.sso.limit', message: expect.stringContaining('only for metered') },
      { field: 'entitlements.kind.type', message: expect.stringContaining('boolean, metered, static') },
    ]));
    // Keyed by feature, so a feature cannot be listed twice; a key repeated in the JSON text is refused like any repeated key.
    const twice = await p.app.request('/v1/plans', {
      method: 'POST',
      headers: { Authorization: `Bearer ${await p.tokenFor('admin')}`, 'Content-Type': 'application/json' },
      body: `{"code":"bad-${tag()}","name":"Bad","price_amount":1,"currency":"EUR","interval":"month","entitlements":{"sso":{"type":"boolean"},"sso":{"type":"boolean"}}}`,
    });
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain('entitlements.sso');
    const list = await p.call<Problem>('POST', '/v1/plans', { body: { code: `bad-${tag()}`, name: 'Bad', price_amount: 1, currency: 'EUR', interval: 'month', entitlements: [{ feature: 'sso', type: 'boolean' }] } });
    expect([list.status, list.body.errors?.[0]?.field]).toEqual([400, 'entitlements']);
  });
});

describe('reading a customer\'s entitlements', () => {
  test('typed entitlements of the plan version, metered ones with used, limit, remaining and the period', async () => {
    const { customerId, subId, plan } = await subscribed();
    const usage = await p.call('POST', '/v1/usage', { body: { records: [{ id: `r-${tag()}`, customer_id: customerId, model: 'm', tokens: 300, occurred_at: new Date(clock.now()).toISOString() }] } });
    expect(usage.status).toBe(200);

    const list = await read(customerId);
    expect(list).toMatchObject({ object: 'customer_entitlements', customer_id: customerId, subscription_id: subId, plan_id: plan.id, plan_version: 1 });
    const period = { period_start: '2026-04-01T00:00:00.000Z', period_end: '2026-05-01T00:00:00.000Z' };
    expect(list.data).toEqual([
      { feature: 'sso', type: 'boolean', source: 'plan' },
      { feature: 'audit-log', type: 'boolean', source: 'plan' },
      { feature: 'ai_tokens', type: 'metered', source: 'plan', limit: 1000, used: 300, remaining: 700, overage: false, ...period },
      { feature: 'exports', type: 'metered', source: 'plan', limit: 5, used: 0, remaining: 5, ...period },
      { feature: 'seats', type: 'static', source: 'plan', value: 10 },
      { feature: 'region', type: 'static', source: 'plan', value: 'eu' },
    ]);
  });

  test('a customer without a subscription has none; an unknown customer is 404', async () => {
    const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    expect(await read(customer.body.id)).toEqual({ object: 'customer_entitlements', customer_id: customer.body.id, subscription_id: null, plan_id: null, plan_version: null, data: [] });
    expect((await p.call('GET', '/v1/customers/cus_00000000000000000000000000/entitlements')).status).toBe(404);
  });
});

describe('overrides', () => {
  test('an override wins over the plan until removed; audited, with events', async () => {
    const { customerId, subId } = await subscribed();
    const seats = await p.call<OverrideResource>('PUT', `/v1/subscriptions/${subId}/entitlements/seats`, { body: { type: 'static', value: 25 } });
    expect(seats.status).toBe(200);
    expect(seats.body).toMatchObject({ object: 'entitlement_override', subscription_id: subId, feature: 'seats', type: 'static', value: 25 });
    expect((await p.call('PUT', `/v1/subscriptions/${subId}/entitlements/sso`, { body: { type: 'boolean', value: false } })).status).toBe(200);
    expect((await p.call('PUT', `/v1/subscriptions/${subId}/entitlements/exports`, { body: { type: 'metered', limit: 1 } })).status).toBe(200);

    const list = await read(customerId);
    expect(feature(list, 'seats')).toEqual({ feature: 'seats', type: 'static', value: 25, source: 'override' });
    expect(feature(list, 'exports')).toMatchObject({ source: 'override', limit: 1, remaining: 1 });
    expect(await check({ customer_id: customerId, feature: 'seats' }).then((r) => r.body)).toMatchObject({ allowed: true, type: 'static', value: 25 });
    expect(await check({ customer_id: customerId, feature: 'sso' }).then((r) => r.body)).toMatchObject({ allowed: false, type: 'boolean', reason: 'not_entitled' });

    const removed = await p.call<OverrideResource>('DELETE', `/v1/subscriptions/${subId}/entitlements/seats`);
    expect(removed.status).toBe(200);
    expect(feature(await read(customerId), 'seats')).toEqual({ feature: 'seats', type: 'static', value: 10, source: 'plan' });
    expect((await p.call<Problem>('DELETE', `/v1/subscriptions/${subId}/entitlements/seats`)).status).toBe(404);

    const overridden = await eventsOf(subId, 'subscription.entitlement_overridden');
    expect(overridden.map((e) => e.data.entitlement)).toEqual([
      { feature: 'seats', type: 'static', value: 25 },
      { feature: 'sso', type: 'boolean', value: false },
      { feature: 'exports', type: 'metered', limit: 1 },
    ]);
    expect((await eventsOf(subId, 'subscription.entitlement_override_removed')).map((e) => e.data.removed)).toEqual([{ feature: 'seats', type: 'static', value: 25 }]);
    const audit = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${subId}&limit=100`);
    expect(audit.body.data.map((a) => a.action)).toEqual(expect.arrayContaining(['subscription.entitlement_override', 'subscription.entitlement_override_remove']));
  });

  test('an override names its wrong fields; a metered one states its limit, ai_tokens too', async () => {
    const { subId } = await subscribed();
    const res = await p.call<Problem>('PUT', `/v1/subscriptions/${subId}/entitlements/exports`, { body: { type: 'metered' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'limit', message: expect.stringContaining('required') }]);
    const bad = await p.call<Problem>('PUT', `/v1/subscriptions/${subId}/entitlements/seats`, { body: { type: 'static', limit: 3 } });
    expect(bad.body.errors).toEqual(expect.arrayContaining([{ field: 'limit', message: expect.any(String) }, { field: 'value', message: expect.any(String) }]));
    const tokens = await p.call<Problem>('PUT', `/v1/subscriptions/${subId}/entitlements/ai_tokens`, { body: { type: 'metered' } });
    expect([tokens.status, tokens.body.errors?.map((e) => e.field)]).toEqual([400, ['limit']]);
    expect((await p.call('PUT', `/v1/subscriptions/${subId}/entitlements/ai_tokens`, { body: { type: 'metered', limit: 2_000_000 } })).status).toBe(200);
    expect((await p.call('PUT', '/v1/subscriptions/sub_00000000000000000000000000/entitlements/sso', { body: { type: 'boolean' } })).status).toBe(404);
  });
});

describe('the check', () => {
  test('refusals say why: no_subscription, not_entitled, limit_reached', async () => {
    const lonely = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    expect((await check({ customer_id: lonely.body.id, feature: 'sso' })).body).toEqual({ object: 'entitlement_check', allowed: false, feature: 'sso', type: null, reason: 'no_subscription' });

    const { customerId, subId } = await subscribed();
    const unknown = await check({ customer_id: customerId, feature: 'white-label' });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ object: 'entitlement_check', allowed: false, feature: 'white-label', type: null, reason: 'not_entitled' });
    expect((await check({ customer_id: customerId, feature: 'sso' })).body).toEqual({ object: 'entitlement_check', allowed: true, feature: 'sso', type: 'boolean', subscription_id: subId });

    const all = await check({ customer_id: customerId, feature: 'exports', consume: 5 });
    expect(all.body).toMatchObject({ allowed: true, consumed: 5, used: 5, remaining: 0, limit: 5 });
    const more = await check({ customer_id: customerId, feature: 'exports', consume: 1 });
    expect(more.body).toMatchObject({ allowed: false, type: 'metered', reason: 'limit_reached', consumed: 0, used: 5, remaining: 0, limit: 5 });
    expect((await check({ customer_id: customerId, feature: 'exports' })).body).toMatchObject({ allowed: false, reason: 'limit_reached' });

    const boolean = await check({ customer_id: customerId, feature: 'sso', consume: 1 });
    expect(boolean.status).toBe(400);
    expect((boolean.body as unknown as Problem).errors).toEqual([{ field: 'consume', message: expect.stringContaining('only for metered') }]);
    expect((await check({ customer_id: 'cus_00000000000000000000000000', feature: 'sso' })).status).toBe(404);
  });

  test('the next period starts from zero', async () => {
    const { customerId } = await subscribed();
    await check({ customer_id: customerId, feature: 'exports', consume: 5 });
    clock.set(Date.UTC(2026, 4, 2));
    // Renewal has not run: the current period is still April's for billing, but the check counts by the clock's period.
    const may = await check({ customer_id: customerId, feature: 'exports', consume: 2 });
    expect(may.body).toMatchObject({ allowed: true, used: 2, remaining: 3, period_start: '2026-05-01T00:00:00.000Z' });
  });

  test('20 parallel consumes with one unit left let exactly one through', async () => {
    const { customerId, subId } = await subscribed();
    expect((await check({ customer_id: customerId, feature: 'exports', consume: 4 })).body.allowed).toBe(true);
    const answers = await Promise.all(Array.from({ length: 20 }, () => check({ customer_id: customerId, feature: 'exports', consume: 1 })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((a) => a.body.allowed)).toHaveLength(1);
    expect(answers.filter((a) => a.body.reason === 'limit_reached')).toHaveLength(19);
    expect(feature(await read(customerId), 'exports')).toMatchObject({ used: 5, remaining: 0 });
    expect(await eventsOf(subId, 'feature.consumed')).toHaveLength(2);
  });

  test('20 parallel ai_tokens consumes with one token left let exactly one through, recorded as usage', async () => {
    const { customerId, subId } = await subscribed();
    expect((await check({ customer_id: customerId, feature: 'ai_tokens', consume: 999, model: 'gpt-test' })).body).toMatchObject({ allowed: true, remaining: 1 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => check({ customer_id: customerId, feature: 'ai_tokens', consume: 1 })));
    expect(answers.filter((a) => a.body.allowed)).toHaveLength(1);
    expect(answers.filter((a) => !a.body.allowed).every((a) => a.body.reason === 'limit_reached')).toBe(true);
    const usage = await p.call<UsagePeriodResource>('GET', `/v1/subscriptions/${subId}/usage`);
    expect(usage.body).toMatchObject({ used_tokens: 1000, included_tokens: 1000 });
    const recorded = await eventsOf(subId, 'usage.recorded');
    expect(recorded.map((e) => e.data.tokens).sort((a, b) => a - b)).toEqual([1, 999]);
    expect(recorded.find((e) => e.data.tokens === 999)!.data.model).toBe('gpt-test');
  });

  test('a retried consume counts once: by record_id, and by Idempotency-Key', async () => {
    const { customerId, subId } = await subscribed();
    const first = await check({ customer_id: customerId, feature: 'exports', consume: 2, record_id: 'job-42' });
    expect(first.body).toMatchObject({ allowed: true, consumed: 2, used: 2, record_id: 'job-42' });
    const again = await check({ customer_id: customerId, feature: 'exports', consume: 2, record_id: 'job-42' });
    expect(again.body).toMatchObject({ allowed: true, consumed: 0, duplicate: true, used: 2, remaining: 3 });

    const tokens = { customer_id: customerId, feature: 'ai_tokens', consume: 100 };
    const headers = { 'Idempotency-Key': `consume-${tag()}` };
    const a = await check(tokens, { headers });
    const b = await check(tokens, { headers });
    expect(a.body).toMatchObject({ allowed: true, consumed: 100, record_id: headers['Idempotency-Key'] });
    expect(b.body).toEqual(a.body);
    const c = await check({ ...tokens, record_id: 'tok-1' });
    const d = await check({ ...tokens, record_id: 'tok-1' });
    expect(c.body).toMatchObject({ consumed: 100, used: 200 });
    expect(d.body).toMatchObject({ consumed: 0, duplicate: true, used: 200 });

    expect(feature(await read(customerId), 'exports')).toMatchObject({ used: 2 });
    expect(feature(await read(customerId), 'ai_tokens')).toMatchObject({ used: 200, remaining: 800 });
    expect(await eventsOf(subId, 'usage.recorded')).toHaveLength(2);
    expect(await eventsOf(subId, 'feature.consumed')).toHaveLength(1);
  });
});

describe('tenants', () => {
  test("a customer's key checks and reads its own entitlements only, and cannot override them", async () => {
    const a = await subscribed();
    const b = await subscribed();
    const key = await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'gate', scopes: ['entitlements:read', 'entitlements:check', 'entitlements:write'], customer_id: a.customerId } });
    expect(key.status).toBe(201);
    const token = key.body.key;

    expect((await check({ customer_id: a.customerId, feature: 'exports', consume: 1 }, { token })).body).toMatchObject({ allowed: true, consumed: 1 });
    expect((await p.call('GET', `/v1/customers/${a.customerId}/entitlements`, { token })).status).toBe(200);

    expect((await check({ customer_id: b.customerId, feature: 'exports', consume: 1 }, { token })).status).toBe(404);
    expect((await p.call('GET', `/v1/customers/${b.customerId}/entitlements`, { token })).status).toBe(404);
    // A customer never overrides its own entitlements, even with the scope; a platform-wide key with it may.
    expect((await p.call('PUT', `/v1/subscriptions/${a.subId}/entitlements/seats`, { token, body: { type: 'static', value: 99 } })).status).toBe(404);
    const platform = await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'crm', scopes: ['entitlements:write'] } });
    expect((await p.call('PUT', `/v1/subscriptions/${a.subId}/entitlements/seats`, { token: platform.body.key, body: { type: 'static', value: 99 } })).status).toBe(200);
    expect(feature(await read(a.customerId), 'seats')).toMatchObject({ value: 99, source: 'override' });
    expect(feature(await read(b.customerId), 'exports')).toMatchObject({ used: 0 });
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { manualClock } from '../src/kernel/clock.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

const APRIL_1 = Date.UTC(2026, 3, 1);
const MAY_1 = Date.UTC(2026, 4, 1);
const clock = manualClock(APRIL_1);
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

/** A customer on a fresh plan, subscribed at APRIL_1 (monthly periods from the 1st). */
async function subscribed(terms: Record<string, unknown>) {
  clock.set(APRIL_1);
  const plan = await p.call('POST', '/v1/plans', { body: { code: `u-${tag()}`, name: 'Metered', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, ...terms } });
  expect(plan.status).toBe(201);
  const customer = await p.call('POST', '/v1/customers', { body: customerInput() });
  expect(customer.status).toBe(201);
  const sub = await p.call('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  return { customerId: customer.body.id as string, subId: sub.body.id as string };
}

const record = (customerId: string, tokens: number, overrides: Record<string, unknown> = {}) => ({
  id: `rec-${tag()}`,
  customer_id: customerId,
  model: 'gpt-test',
  tokens,
  occurred_at: iso(APRIL_1 + DAY_MS),
  ...overrides,
});

const post = (...records: unknown[]) => p.call('POST', '/v1/usage', { body: { records } });

async function usage(subId: string, query = '') {
  const res = await p.call('GET', `/v1/subscriptions/${subId}/usage${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function eventsOf(subId: string, type: string) {
  const res = await p.call('GET', `/v1/events?subject=${subId}&type=${type}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data as { type: string; data: any }[];
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect(res.body.code).toBe(code);
}

describe('recording usage', () => {
  test('the same record posted twice counts once; its event carries the client id', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 10_000, quota_policy: 'overage', overage_price_per_1k: 100 });
    const r = record(customerId, 1234);
    const first = await post(r);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: 'usage_batch', accepted: 1, duplicates: 0, refused: 0 });
    expect(first.body.results[0]).toEqual({ id: r.id, status: 'accepted', subscription_id: subId, period_start: iso(APRIL_1), overage_tokens: 0 });

    const again = await post(r, r);
    expect(again.status).toBe(200);
    expect(again.body.results.map((x: { status: string }) => x.status)).toEqual(['duplicate', 'duplicate']);
    expect((await usage(subId)).used_tokens).toBe(1234);

    // Concurrent deliveries of one record: exactly one is accepted.
    const twin = record(customerId, 66);
    const racing = await Promise.all(Array.from({ length: 20 }, () => post(twin)));
    expect(racing.filter((r) => r.body.accepted === 1)).toHaveLength(1);
    expect((await usage(subId)).used_tokens).toBe(1300);

    const events = await eventsOf(subId, 'usage.recorded');
    expect(events.map((e) => e.data.id)).toEqual([r.id, twin.id]);
    expect(events[0]!.data).toEqual({
      id: r.id,
      subscription_id: subId,
      customer_id: customerId,
      model: 'gpt-test',
      tokens: 1234,
      occurred_at: r.occurred_at,
      period_start: iso(APRIL_1),
      overage_tokens: 0,
      recorded_at: iso(APRIL_1),
    });
  });

  test('1,000 concurrent single-record posts for one subscription sum exactly', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 100_000_000, quota_policy: 'block' });
    const tokens = Array.from({ length: 1000 }, (_, i) => (i % 97) + 1);
    const responses = await Promise.all(tokens.map((t) => post(record(customerId, t))));
    expect(responses.every((r) => r.status === 200 && r.body.accepted === 1)).toBe(true);
    const expected = tokens.reduce((a, b) => a + b, 0);
    expect((await usage(subId)).used_tokens).toBe(expected);
  }, 60_000);

  test('overage policy: overage tokens accumulate and the charge is round_half_up(overage × price / 1000)', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 1000, quota_policy: 'overage', overage_price_per_1k: 250 });
    const res = await post(record(customerId, 700), record(customerId, 500), record(customerId, 302));
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { overage_tokens: number }) => r.overage_tokens)).toEqual([0, 200, 302]);
    // 1502 used, 502 over: 502 × 250 / 1000 = 125.5 cents, rounded half up to 126.
    expect(await usage(subId)).toMatchObject({
      object: 'usage_period',
      period_start: iso(APRIL_1),
      period_end: iso(MAY_1),
      included_tokens: 1000,
      used_tokens: 1502,
      overage_tokens: 502,
      overage_price_per_1k: { amount: 250, currency: 'EUR' },
      overage_charge: { amount: 126, currency: 'EUR' },
      quota_policy: 'overage',
      quota_exceeded: true,
    });
    await post(record(customerId, 1000));
    expect((await usage(subId)).overage_charge).toEqual({ amount: 376, currency: 'EUR' }); // 1502 × 250 / 1000 = 375.5
    const crossed = await eventsOf(subId, 'usage.quota_exceeded');
    expect(crossed).toHaveLength(1);
    expect(crossed[0]!.data).toEqual({ subscription_id: subId, customer_id: customerId, period_start: iso(APRIL_1), included_tokens: 1000, quota_policy: 'overage' });
  });

  test('block policy: 429 past the quota, the total stays at the quota, quota_exceeded once per period', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 1000, quota_policy: 'block' });
    expect((await post(record(customerId, 600))).status).toBe(200);

    const over = await post(record(customerId, 500));
    expectProblem(over, 429, 'quota_exceeded');
    expect(over.body.subscription_id).toBe(subId);
    expect(over.body.detail).toContain(subId);
    // The refusal is what an Idempotency-Key retry replays.
    const key = { 'Idempotency-Key': `usage-${tag()}` };
    const body = { records: [record(customerId, 700)] };
    const refusedOnce = await p.call('POST', '/v1/usage', { body, headers: key });
    const replayed = await p.call('POST', '/v1/usage', { body, headers: key });
    expectProblem(refusedOnce, 429, 'quota_exceeded');
    expectProblem(replayed, 429, 'quota_exceeded');
    expect(replayed.headers.get('idempotency-replayed')).toBe('true');
    expect(replayed.body).toEqual(refusedOnce.body);

    const mixed = await post(record(customerId, 400), record(customerId, 1));
    expect(mixed.status).toBe(200);
    expect(mixed.body.results.map((r: { status: string; reason?: string }) => [r.status, r.reason])).toEqual([['accepted', undefined], ['refused', 'quota_exceeded']]);
    expectProblem(await post(record(customerId, 1)), 429, 'quota_exceeded');

    expect(await usage(subId)).toMatchObject({ used_tokens: 1000, overage_tokens: 0, overage_charge: { amount: 0, currency: 'EUR' }, quota_exceeded: true });
    expect(await eventsOf(subId, 'usage.quota_exceeded')).toHaveLength(1);
    expect(await eventsOf(subId, 'usage.recorded')).toHaveLength(2);

    // The next period starts from zero; crossing it again emits once more, for that period.
    clock.set(MAY_1 + DAY_MS);
    const may = await post(record(customerId, 900, { occurred_at: iso(MAY_1 + DAY_MS) }));
    expect(may.status).toBe(200);
    expect(may.body.results[0].period_start).toBe(iso(MAY_1));
    expect(await usage(subId)).toMatchObject({ period_start: iso(MAY_1), period_end: iso(Date.UTC(2026, 5, 1)), used_tokens: 900, quota_exceeded: false });
    expectProblem(await post(record(customerId, 101, { occurred_at: iso(MAY_1 + 2 * DAY_MS) })), 429, 'quota_exceeded');
    expect((await eventsOf(subId, 'usage.quota_exceeded')).map((e) => e.data.period_start)).toEqual([iso(APRIL_1), iso(MAY_1)]);
    expect((await usage(subId, `?period_start=${iso(APRIL_1)}`)).used_tokens).toBe(1000);
  });

  test('a record dated in the next period counts there, whatever the clock says', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 5000, quota_policy: 'overage', overage_price_per_1k: 100 });
    await post(record(customerId, 10), record(customerId, 20, { occurred_at: iso(MAY_1) }));
    expect((await usage(subId)).used_tokens).toBe(10);
    expect(await usage(subId, `?period_start=${iso(MAY_1)}`)).toMatchObject({ period_start: iso(MAY_1), used_tokens: 20 });
  });

  test('records no live subscription takes are refused with a reason, not stored', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 5000 });
    const loner = await p.call('POST', '/v1/customers', { body: customerInput() });
    const res = await post(record(loner.body.id, 5), record(customerId, 5, { occurred_at: iso(APRIL_1 - DAY_MS) }));
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { reason: string }) => r.reason)).toEqual(['no_subscription', 'before_subscription']);
    expect(await p.call('POST', `/v1/subscriptions/${subId}/cancel`, { body: {} })).toMatchObject({ status: 200 });
    expect((await post(record(customerId, 5, { subscription_id: subId }))).body.results[0].reason).toBe('subscription_canceled');
    expect((await usage(subId)).used_tokens).toBe(0);
  });
});

describe('the usage routes', () => {
  test('validation names the field', async () => {
    const { customerId } = await subscribed({ included_tokens: 10 });
    const fields = async (res: { status: number; headers: Headers; body: any }) => {
      expectProblem(res, 400, 'validation');
      return res.body.errors.map((e: { field: string }) => e.field);
    };
    expect(await fields(await post(record(customerId, 0)))).toContain('records.0.tokens');
    expect(await fields(await post(record(customerId, 1.5)))).toContain('records.0.tokens');
    expect(await fields(await post(record(customerId, 1), record(customerId, 1, { occurred_at: 'yesterday' })))).toContain('records.1.occurred_at');
    const tooMany = Array.from({ length: 1001 }, (_, i) => record(customerId, 1, { id: `many-${i}` }));
    expect(await fields(await post(...tooMany))).toContain('records');
    expect(await fields(await p.call('POST', '/v1/usage', { body: { records: [] } }))).toContain('records');
    expect(await fields(await p.call('GET', `/v1/subscriptions/sub_00000000000000000000000000/usage?period_start=soon`))).toContain('period_start');
  });

  test('viewers may read usage but not record it; unknown subscriptions are 404', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 10 });
    const viewer = await p.tokenFor('viewer');
    expectProblem(await p.call('POST', '/v1/usage', { body: { records: [record(customerId, 1)] }, token: viewer }), 403, 'forbidden');
    expect((await p.call('GET', `/v1/subscriptions/${subId}/usage`, { token: viewer })).status).toBe(200);
    expectProblem(await p.call('POST', '/v1/usage', { body: { records: [record(customerId, 1)] }, token: null }), 401, 'unauthorized');
    expectProblem(await p.call('GET', '/v1/subscriptions/sub_00000000000000000000000000/usage'), 404, 'not_found');
  });
});

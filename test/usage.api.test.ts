import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { count, eq, isNull } from 'drizzle-orm';
import { deadLetters, loyalty, outbox } from '../db/schema/index.ts';
import { runBillingCycle } from '../src/billing/cycle.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { Logger } from '../src/kernel/logger.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { createTestPlatform, customerInput, eventually, type ApiResponse, expectProblem, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { EventType } from '../src/events/catalog.ts';
import type { ConsumerList, TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { UsageBatchResource, UsagePeriodResource } from '../src/usage/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';

const APRIL_1 = Date.UTC(2026, 3, 1);
const MAY_1 = Date.UTC(2026, 4, 1);
const clock = manualClock(APRIL_1);
/** Warnings the platform logged, to see what the usage consumer did with a refused record. */
const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (msg, fields) => void warnings.push({ msg, fields }), error() {} };
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, logger } });
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

/** A customer on a fresh plan, subscribed at APRIL_1 (monthly periods from the 1st); the clock is left a day later. */
async function subscribed(terms: Record<string, unknown>) {
  clock.set(APRIL_1);
  const plan = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `u-${tag()}`, name: 'Metered', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, ...terms } });
  expect(plan.status).toBe(201);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  expect(customer.status).toBe(201);
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + DAY_MS);
  return { customerId: customer.body.id, subId: sub.body.id };
}

const record = (customerId: string, tokens: number, overrides: Record<string, unknown> = {}) => ({
  id: `rec-${tag()}`,
  customer_id: customerId,
  model: 'gpt-test',
  tokens,
  occurred_at: iso(APRIL_1 + DAY_MS),
  ...overrides,
});

const post = <T = UsageBatchResource>(...records: unknown[]) => p.call<T>('POST', '/v1/usage', { body: { records } });

async function usage(subId: string, query = '') {
  const res = await p.call<UsagePeriodResource>('GET', `/v1/subscriptions/${subId}/usage${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function eventsOf<T extends EventType>(subId: string, type: T) {
  const res = await p.call<Page<TypedEventResource<T>>>('GET', `/v1/events?subject=${subId}&type=${type}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
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
      recorded_at: iso(APRIL_1 + DAY_MS),
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

    const over = await post<Problem>(record(customerId, 500));
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
    expect(may.body.results[0]!.period_start).toBe(iso(MAY_1));
    expect(await usage(subId)).toMatchObject({ period_start: iso(MAY_1), period_end: iso(Date.UTC(2026, 5, 1)), used_tokens: 900, quota_exceeded: false });
    clock.set(MAY_1 + 2 * DAY_MS);
    expectProblem(await post(record(customerId, 101, { occurred_at: iso(MAY_1 + 2 * DAY_MS) })), 429, 'quota_exceeded');
    expect((await eventsOf(subId, 'usage.quota_exceeded')).map((e) => e.data.period_start)).toEqual([iso(APRIL_1), iso(MAY_1)]);
    expect((await usage(subId, `?period_start=${iso(APRIL_1)}`)).used_tokens).toBe(1000);
  });

  test('a record dated in the next period (within the allowed clock skew) counts there', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 5000, quota_policy: 'overage', overage_price_per_1k: 100 });
    clock.set(MAY_1 - 60_000);
    await post(record(customerId, 10), record(customerId, 20, { occurred_at: iso(MAY_1) }));
    expect((await usage(subId)).used_tokens).toBe(10);
    expect(await usage(subId, `?period_start=${iso(MAY_1)}`)).toMatchObject({ period_start: iso(MAY_1), used_tokens: 20 });
  });

  test('records no live subscription takes are refused with a reason, not stored', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 5000 });
    const loner = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    const res = await post(record(loner.body.id, 5), record(customerId, 5, { occurred_at: iso(APRIL_1 - DAY_MS) }));
    expect(res.status).toBe(200);
    expect(res.body.results.map((r) => r.reason)).toEqual(['no_subscription', 'before_subscription']);
    expect(await p.call('POST', `/v1/subscriptions/${subId}/cancel`, { body: {} })).toMatchObject({ status: 200 });
    expect((await post(record(customerId, 5, { subscription_id: subId }))).body.results[0]!.reason).toBe('subscription_canceled');
    expect((await usage(subId)).used_tokens).toBe(0);
  });
});

describe('the usage routes', () => {
  test('validation names the field', async () => {
    const { customerId } = await subscribed({ included_tokens: 10 });
    const fields = async (res: ApiResponse) => {
      expectProblem(res, 400, 'validation');
      return res.body.errors!.map((e) => e.field);
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

/** A customer paying by card on a plan without trial, its first invoice paid: an active subscription from APRIL_1. */
async function active(terms: Record<string, unknown>) {
  clock.set(APRIL_1);
  const plan = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `a-${tag()}`, name: 'Metered', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, ...terms } });
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + DAY_MS);
  await runBillingCycle(p.deps);
  expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${sub.body.id}`)).body.status).toBe('active');
  return { customerId: customer.body.id, subId: sub.body.id };
}

/** A usage report as another service publishes it: `usage.reported`, or the deprecated `usage.recorded`. */
const fromGateway = (data: Record<string, unknown>, type: 'usage.reported' | 'usage.recorded' = 'usage.reported') => ({
  specversion: '1.0' as const,
  id: `gw-evt-${tag()}`,
  source: 'urn:ai-gateway',
  type,
  subject: String(data.customer_id),
  time: iso(clock.now()),
  datacontenttype: 'application/json' as const,
  sequence: 1,
  data,
});

/** Publishes one event from another service and waits until the usage consumer has handled or parked it. */
async function throughBus(data: Record<string, unknown>) {
  const event = fromGateway(data);
  await p.deps.bus.publish([event]);
  await eventually(async () => {
    const groups = (await p.call<ConsumerList>('GET', '/v1/consumers')).body.data;
    return groups.find((g) => g.group === 'usage-ingest')?.lag === 0;
  });
  const parked = await p.deps.db.select().from(deadLetters).where(eq(deadLetters.eventId, event.id));
  return { event, parked: parked[0] ?? null };
}

describe('usage record ids', () => {
  test('usage ids are scoped per customer: the same client id from another customer is its own record, and no answer shows another customer', async () => {
    const a = await subscribed({ included_tokens: 10_000 });
    const b = await subscribed({ included_tokens: 10_000 });
    const id = `cc-${tag()}`;
    expect((await post(record(a.customerId, 100, { id }))).body.results[0]).toMatchObject({ id, status: 'accepted', subscription_id: a.subId });

    const fromB = await post(record(b.customerId, 250, { id }));
    expect(fromB.status).toBe(200);
    expect(fromB.body).toMatchObject({ accepted: 1, duplicates: 0, conflicts: 0, refused: 0 });
    expect(fromB.body.results[0]).toEqual({ id, status: 'accepted', subscription_id: b.subId, period_start: iso(APRIL_1), overage_tokens: 0 });
    expect(JSON.stringify(fromB.body)).not.toContain(a.subId);
    expect((await usage(a.subId)).used_tokens).toBe(100);
    expect((await usage(b.subId)).used_tokens).toBe(250);

    // Each customer's retry is its own duplicate.
    expect((await post(record(a.customerId, 100, { id }))).body.results[0]).toMatchObject({ status: 'duplicate', subscription_id: a.subId });
    expect((await post(record(b.customerId, 250, { id }))).body.results[0]).toMatchObject({ status: 'duplicate', subscription_id: b.subId });
    expect((await eventsOf(b.subId, 'usage.recorded')).map((e) => e.data)).toMatchObject([{ id, customer_id: b.customerId, tokens: 250 }]);
  });

  test('same id with a different payload is a conflict naming the field; an identical retry stays a duplicate', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 10_000 });
    const r = record(customerId, 500, { occurred_at: '2026-04-01T12:00:00.000Z' });
    expect((await post(r)).body.accepted).toBe(1);

    const res = await post(
      { ...r, tokens: 501 },
      { ...r, model: 'gpt-other' },
      { ...r, occurred_at: '2026-04-01T12:00:01.000Z' },
      { ...r, subscription_id: 'sub_00000000000000000000000000' },
      { ...r, occurred_at: '2026-04-01T12:00:00Z' }, // the same instant, spelled differently
      r,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 0, duplicates: 2, conflicts: 4, refused: 0 });
    expect(res.body.results.map((x: { status: string; field?: string }) => [x.status, x.field])).toEqual([
      ['conflict', 'tokens'],
      ['conflict', 'model'],
      ['conflict', 'occurred_at'],
      ['conflict', 'subscription_id'],
      ['duplicate', undefined],
      ['duplicate', undefined],
    ]);
    expect(res.body.results[0]).toMatchObject({ id: r.id, subscription_id: subId, period_start: iso(APRIL_1) });

    // Within one batch: the first is counted, the second under its id is the conflict.
    const twin = record(customerId, 7);
    const batch = await post(twin, { ...twin, tokens: 8 });
    expect(batch.body.results.map((x: { status: string; field?: string }) => [x.status, x.field])).toEqual([['accepted', undefined], ['conflict', 'tokens']]);
    expect((await usage(subId)).used_tokens).toBe(507);
  });

  test('a differing record under a used id from the bus is dead-lettered with the reason; an identical one is a quiet duplicate', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 10_000 });
    p.startWorkers(['usage-ingest']);
    try {
      const data = { id: `gw-${tag()}`, customer_id: customerId, model: 'gpt-x', tokens: 40, occurred_at: iso(APRIL_1 + DAY_MS) };
      expect((await throughBus(data)).parked).toBeNull();
      expect((await throughBus(data)).parked).toBeNull();
      const { parked } = await throughBus({ ...data, tokens: 41 });
      expect(parked).toMatchObject({ consumer: 'usage-ingest' });
      expect(parked!.reason).toContain(data.id);
      expect(parked!.reason).toContain('tokens differs');
      expect((await usage(subId)).used_tokens).toBe(40);
    } finally {
      await p.stopWorkers();
    }
  });
});

describe('usage timestamps', () => {
  test('a record further ahead of the clock than the allowed skew (5 minutes) is refused as in_future', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 10_000 });
    const now = clock.now();
    const res = await post(
      record(customerId, 1, { occurred_at: '2999-01-01T00:00:00Z' }),
      record(customerId, 2, { occurred_at: iso(now + 5 * 60_000 + 1) }),
      record(customerId, 3, { occurred_at: iso(now + 5 * 60_000) }),
    );
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string; reason?: string }) => [r.status, r.reason])).toEqual([
      ['refused', 'in_future'],
      ['refused', 'in_future'],
      ['accepted', undefined],
    ]);
    expect((await usage(subId)).used_tokens).toBe(3);
  });

  test('a late record for a period already billed is refused as period_closed; late but before billing it still counts and is billed', async () => {
    const { customerId, subId } = await active({ included_tokens: 1000, quota_policy: 'overage', overage_price_per_1k: 100 });
    expect((await post(record(customerId, 1500))).body.accepted).toBe(1);

    // April is over, but the billing worker has not run yet: a late April record still counts.
    clock.set(MAY_1 + 60_000);
    const late = await post(record(customerId, 500, { occurred_at: iso(MAY_1 - 1) }));
    expect(late.body.results[0]).toMatchObject({ status: 'accepted', period_start: iso(APRIL_1) });

    await runBillingCycle(p.deps);
    const invoices = (await p.call<Page<InvoiceResource>>('GET', `/v1/invoices?subscription_id=${subId}&limit=10`)).body.data;
    const may = invoices.find((i) => i.billing_reason === 'subscription_cycle');
    expect(may!.lines.find((l) => l.kind === 'usage_overage')).toMatchObject({ quantity: 1000, amount: 100 });

    // Now April is billed: later April records are refused and change nothing.
    const tooLate = await post(record(customerId, 700, { occurred_at: iso(MAY_1 - DAY_MS) }), record(customerId, 5, { occurred_at: iso(MAY_1 + 1) }));
    expect(tooLate.body.results.map((r) => [r.status, r.reason, r.period_start])).toEqual([
      ['refused', 'period_closed', iso(APRIL_1)],
      ['accepted', undefined, iso(MAY_1)],
    ]);
    expect(await usage(subId, `?period_start=${iso(APRIL_1)}`)).toMatchObject({ used_tokens: 2000, overage_tokens: 1000, overage_charge: { amount: 100, currency: 'EUR' } });
  });

  test('from the bus, records for an erased customer, a closed period or the far future are refused and logged once, not retried or parked', async () => {
    const { customerId } = await active({ included_tokens: 1000 });
    clock.set(MAY_1 + 60_000);
    await runBillingCycle(p.deps);
    const erased = await subscribed({ included_tokens: 1000 });
    expect((await p.call('POST', `/v1/customers/${erased.customerId}/erase`)).status).toBe(200);
    clock.set(MAY_1 + 2 * 60_000);

    p.startWorkers(['usage-ingest']);
    try {
      const cases = [
        { customer_id: customerId, occurred_at: iso(APRIL_1 + DAY_MS), reason: 'period_closed' },
        { customer_id: erased.customerId, occurred_at: iso(MAY_1), reason: 'customer_erased' },
        { customer_id: customerId, occurred_at: '2999-01-01T00:00:00Z', reason: 'in_future' },
      ];
      for (const { reason, ...at } of cases) {
        const id = `gw-${tag()}`;
        const { parked } = await throughBus({ id, model: 'gpt-x', tokens: 10, ...at });
        expect(parked).toBeNull();
        expect(warnings.filter((w) => w.fields?.record_id === id).map((w) => [w.msg, w.fields?.reason])).toEqual([['usage record from the bus refused', reason]]);
      }
    } finally {
      await p.stopWorkers();
    }
  });
});

describe('usage during a trial', () => {
  test('usage during a trial is recorded and the GET shows the trial period with its tokens, free of charge', async () => {
    clock.set(APRIL_1);
    const plan = await p.call<PlanResource>('POST', '/v1/plans', {
      body: { code: `t-${tag()}`, name: 'Trial', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 14, included_tokens: 1000, quota_policy: 'overage', overage_price_per_1k: 100 },
    });
    const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) });
    const sub = (await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id } })).body;
    expect(sub.status).toBe('trialing');
    clock.set(APRIL_1 + 2 * DAY_MS);

    const res = await post(record(customer.body.id, 1500));
    expect(res.body.results[0]).toMatchObject({ status: 'accepted', subscription_id: sub.id, period_start: iso(APRIL_1) });
    // Also through the bus.
    p.startWorkers(['usage-ingest']);
    try {
      expect((await throughBus({ id: `gw-${tag()}`, customer_id: customer.body.id, model: 'gpt-x', tokens: 100, occurred_at: iso(APRIL_1 + DAY_MS) })).parked).toBeNull();
    } finally {
      await p.stopWorkers();
    }

    const trial = { period_start: iso(APRIL_1), period_end: iso(APRIL_1 + 14 * DAY_MS), trial: true, used_tokens: 1600, overage_tokens: 600, overage_charge: { amount: 0, currency: 'EUR' } };
    expect(await usage(sub.id)).toMatchObject(trial);
    expect(await usage(sub.id, `?period_start=${iso(APRIL_1 + DAY_MS)}`)).toMatchObject(trial);
    expectProblem(await p.call('GET', `/v1/subscriptions/${sub.id}/usage?period_start=${iso(APRIL_1 - 1)}`), 400, 'validation');

    // At the trial's end the first paid period starts; the trial's usage is never billed.
    clock.set(APRIL_1 + 14 * DAY_MS);
    await runBillingCycle(p.deps);
    expect(await usage(sub.id)).toMatchObject({ period_start: iso(APRIL_1 + 14 * DAY_MS), trial: false, used_tokens: 0 });
    const invoices = (await p.call<Page<InvoiceResource>>('GET', `/v1/invoices?subscription_id=${sub.id}&limit=10`)).body.data;
    expect(invoices.flatMap((i) => i.lines.map((l) => l.kind))).toEqual(['subscription_fee']);
    expect((await post(record(customer.body.id, 5, { occurred_at: iso(APRIL_1 + 13 * DAY_MS) }))).body.results[0]).toMatchObject({ status: 'refused', reason: 'period_closed' });
  });
});

describe('usage from the bus', () => {
  /** Waits until the relay published every outbox row and these groups handled every event of their types. */
  async function drained(groups: string[]) {
    await eventually(async () => {
      const [pending] = await p.deps.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
      const list = (await p.call<ConsumerList>('GET', '/v1/consumers')).body.data;
      return pending!.n === 0 && groups.every((g) => list.find((x) => x.group === g)?.lag === 0);
    }, { timeoutMs: 30_000 });
  }

  /** What a customer's usage came to: the period's tokens, the records we emitted, the tokens profiling counted. */
  async function outcome(customerId: string, subId: string) {
    const [loyal] = await p.deps.db.select().from(loyalty).where(eq(loyalty.customerId, customerId));
    const recorded = await eventsOf(subId, 'usage.recorded');
    return { used_tokens: (await usage(subId)).used_tokens, recorded: recorded.map((e) => [e.data.id, e.data.tokens]), profiled_tokens: loyal?.usageTokens ?? 0 };
  }

  const ingestDeadLetters = async () => (await p.call<ConsumerList>('GET', '/v1/consumers')).body.data.find((g) => g.group === 'usage-ingest')?.dead_letters ?? 0;
  const deprecationWarnings = (id: string) => warnings.filter((w) => w.fields?.record_id === id && w.msg.includes('deprecated'));

  test('a gateway publishing usage.reported gets its record counted once, also when it is delivered again; the usage.recorded we emit for it is not ingested again', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 10_000 });
    const before = await ingestDeadLetters();
    p.startWorkers(['relay', 'usage-ingest', 'profiling']);
    try {
      const data = { id: `gw-${tag()}`, customer_id: customerId, model: 'gpt-x', tokens: 600, occurred_at: iso(APRIL_1 + DAY_MS) };
      const report = fromGateway(data);
      await p.deps.bus.publish([report]);
      await drained(['usage-ingest', 'profiling']);
      // Delivered again: the same envelope, and the same record under a new event id.
      await p.deps.bus.publish([report, fromGateway(data)]);
      await drained(['usage-ingest', 'profiling']);

      expect(await outcome(customerId, subId)).toEqual({ used_tokens: 600, recorded: [[data.id, 600]], profiled_tokens: 600 });
      expect(await ingestDeadLetters()).toBe(before);
      expect(deprecationWarnings(data.id)).toEqual([]);
    } finally {
      await p.stopWorkers();
    }
  });

  test('a report under the deprecated usage.recorded from another service is still counted, once, with a warning; profiling counts only the record we accepted', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 10_000 });
    const before = await ingestDeadLetters();
    const hooks = `/v1/customers/${customerId}/webhooks`;
    const endpoint = await p.call<{ id: string }>('POST', hooks, { body: { url: 'https://hooks.example.com/all', event_types: ['*'] } });
    expect(endpoint.status).toBe(201);
    p.startWorkers(['relay', 'usage-ingest', 'profiling', 'webhooks']);
    try {
      const data = { id: `gw-${tag()}`, customer_id: customerId, subscription_id: subId, model: 'gpt-x', tokens: 400, occurred_at: iso(APRIL_1 + DAY_MS) };
      await p.deps.bus.publish([fromGateway(data, 'usage.recorded')]);
      await drained(['usage-ingest', 'profiling', 'webhooks']);
      // The customer's webhooks carry the record we accepted, once; never the gateway's report.
      const deliveries = (await p.call<{ data: { event_type: string }[] }>('GET', `${hooks}/${endpoint.body.id}/deliveries`)).body.data;
      expect(deliveries.filter((d) => d.event_type === 'usage.recorded')).toHaveLength(1);

      expect(await outcome(customerId, subId)).toEqual({ used_tokens: 400, recorded: [[data.id, 400]], profiled_tokens: 400 });
      expect(await ingestDeadLetters()).toBe(before);
      // The gateway's report is warned about; the usage.recorded we emitted for it came back and was skipped quietly.
      expect(deprecationWarnings(data.id).map((w) => w.fields?.source)).toEqual(['urn:ai-gateway']);
    } finally {
      await p.stopWorkers();
    }
  });

  test('records accepted through the API come back on the bus as usage.recorded and are counted by profiling, not ingested again', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 10_000 });
    const posted = [record(customerId, 30), record(customerId, 70)];
    expect((await post(...posted)).body.accepted).toBe(2);
    const before = await ingestDeadLetters();
    p.startWorkers(['relay', 'usage-ingest', 'profiling']);
    try {
      await drained(['usage-ingest', 'profiling']);
      expect(await outcome(customerId, subId)).toEqual({ used_tokens: 100, recorded: posted.map((r) => [r.id, r.tokens]), profiled_tokens: 100 });
      expect(await ingestDeadLetters()).toBe(before);
      expect(posted.flatMap((r) => deprecationWarnings(r.id))).toEqual([]);
    } finally {
      await p.stopWorkers();
    }
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { manualClock } from '../src/kernel/clock.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { createTestPlatform, customerInput, type ApiResponse, type OpenApiDocument, expectProblem, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { AdjustmentResource, SubscriptionResource } from '../src/subscriptions/contract.ts';

const APRIL_1 = Date.UTC(2026, 3, 1);
const clock = manualClock(APRIL_1);
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

async function plan(overrides: Record<string, unknown> = {}) {
  const res = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `p-${tag()}`, name: 'Basic', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, ...overrides } });
  expect(res.status).toBe(201);
  return res.body;
}

/** A fresh customer; with `maxSubscriptions`, an operator let it hold that many live subscriptions. */
async function customer(maxSubscriptions = 1) {
  const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  expect(res.status).toBe(201);
  if (maxSubscriptions === 1) return res.body;
  const raised = await p.call<CustomerResource>('PATCH', `/v1/customers/${res.body.id}`, { body: { max_subscriptions: maxSubscriptions } });
  expect(raised.status).toBe(200);
  return raised.body;
}

async function subscribe(body: Record<string, unknown>) {
  const res = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body });
  expect(res.status).toBe(201);
  return res.body;
}

async function eventsOf(id: string) {
  const res = await p.call<Page<TypedEventResource>>('GET', `/v1/events?subject=${id}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

function expectInvalid(res: ApiResponse, field: string): asserts res is ApiResponse<Problem> {
  expectProblem(res, 400, 'validation');
  expect(res.body.errors!.map((e) => e.field)).toContain(field);
}

describe('starting a subscription', () => {
  test('with the plan trial: trialing until now + trial days, events created then trial_started', async () => {
    clock.set(APRIL_1);
    const c = await customer();
    const pl = await plan({ trial_days: 14 });
    const sub = await subscribe({ customer_id: c.id, plan_id: pl.id });
    expect(sub.id).toMatch(/^sub_[0-9A-Z]{26}$/);
    expect(sub).toMatchObject({
      object: 'subscription',
      customer_id: c.id,
      plan_id: pl.id,
      plan_version: 1,
      status: 'trialing',
      // The trial is a period of its own; billing periods are anchored at its end.
      anchor: iso(APRIL_1 + 14 * DAY_MS),
      current_period_start: iso(APRIL_1),
      current_period_end: iso(APRIL_1 + 14 * DAY_MS),
      trial_end: iso(APRIL_1 + 14 * DAY_MS),
      cancel_at_period_end: false,
      canceled_at: null,
      created_at: iso(APRIL_1),
      version: 1,
    });
    expect((await p.call('GET', `/v1/subscriptions/${sub.id}`)).body).toEqual(sub);

    const events = await eventsOf(sub.id);
    expect(events.map((e) => [e.type, e.sequence])).toEqual([['subscription.created', 1], ['subscription.trial_started', 2]]);
    expect((events[1] as TypedEventResource<'subscription.trial_started'>).data.trial_end).toBe(iso(APRIL_1 + 14 * DAY_MS));
    expect((events[0] as TypedEventResource<'subscription.created'>).data.subscription).toMatchObject({ id: sub.id, status: 'trialing', plan_version: 1 });
  });

  test('without a trial (plan has none, or trial: false): incomplete, only subscription.created', async () => {
    clock.set(APRIL_1);
    const c = await customer(2);
    const none = await subscribe({ customer_id: c.id, plan_id: (await plan({ trial_days: 0 })).id });
    const skipped = await subscribe({ customer_id: c.id, plan_id: (await plan({ trial_days: 30 })).id, trial: false });
    for (const sub of [none, skipped]) {
      expect(sub).toMatchObject({ status: 'incomplete', trial_end: null });
      expect((await eventsOf(sub.id)).map((e) => e.type)).toEqual(['subscription.created']);
    }
    const mine = await p.call<Page<SubscriptionResource>>('GET', `/v1/customers/${c.id}/subscriptions`);
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((s: { id: string }) => s.id)).toEqual([skipped.id, none.id]);
  });

  test('keeps its plan version when the plan later changes price', async () => {
    clock.set(APRIL_1);
    const pl = await plan();
    const sub = await subscribe({ customer_id: (await customer()).id, plan_id: pl.id });
    expect((await p.call<PlanResource>('PATCH', `/v1/plans/${pl.id}`, { body: { price_amount: 3900 } })).body.version).toBe(2);
    expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${sub.id}`)).body.plan_version).toBe(1);
  });

  test('refuses a deactivated customer and an archived plan (409), unknown ones (404)', async () => {
    clock.set(APRIL_1);
    const c = await customer();
    await p.call('POST', `/v1/customers/${c.id}/activate`);
    expect((await p.call('POST', `/v1/customers/${c.id}/deactivate`)).status).toBe(200);
    const pl = await plan();
    const closed = await p.call('POST', '/v1/subscriptions', { body: { customer_id: c.id, plan_id: pl.id } });
    expectProblem(closed, 409, 'conflict');
    expect(closed.body.field).toBe('customer_id');

    const archived = await plan();
    await p.call('POST', `/v1/plans/${archived.id}/archive`);
    expectProblem(await p.call('POST', '/v1/subscriptions', { body: { customer_id: (await customer()).id, plan_id: archived.id } }), 409, 'conflict');
    expectProblem(await p.call('POST', '/v1/subscriptions', { body: { customer_id: 'cus_00000000000000000000000000', plan_id: pl.id } }), 404, 'not_found');
  });

  test('a retry with the same Idempotency-Key replays the response and creates one subscription', async () => {
    clock.set(APRIL_1);
    const c = await customer();
    const body = { customer_id: c.id, plan_id: (await plan()).id };
    const headers = { 'Idempotency-Key': `sub-${tag()}` };
    const first = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body, headers });
    const retry = await p.call('POST', '/v1/subscriptions', { body, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await p.call<Page<SubscriptionResource>>('GET', `/v1/subscriptions?customer_id=${c.id}`)).body.data.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
  });
});

describe('cancelling', () => {
  test('now: canceled with canceled_at from the clock; a second cancel is a 409 invalid_transition', async () => {
    clock.set(APRIL_1);
    const sub = await subscribe({ customer_id: (await customer()).id, plan_id: (await plan()).id });
    clock.set(APRIL_1 + 3 * DAY_MS);
    const res = await p.call('POST', `/v1/subscriptions/${sub.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'canceled', canceled_at: iso(APRIL_1 + 3 * DAY_MS), cancel_at_period_end: false, version: 2 });

    const again = await p.call('POST', `/v1/subscriptions/${sub.id}/cancel`, { body: { at_period_end: true } });
    expectProblem(again, 409, 'invalid_transition');
    expect(again.body.current_status).toBe('canceled');
    expectProblem(await p.call('POST', `/v1/subscriptions/${sub.id}/cancel`), 409, 'invalid_transition');

    const events = await eventsOf(sub.id);
    expect(events.map((e) => e.type)).toEqual(['subscription.created', 'subscription.canceled', 'subscription.ended']);
    expect(events[1]!.data).toMatchObject({ previous_status: 'incomplete', at_period_end: false, effective_at: iso(APRIL_1 + 3 * DAY_MS), reason: 'requested' });
    expect(events[2]!.data).toMatchObject({ reason: 'requested', subscription: { status: 'canceled' } });
  });

  test('at period end: keeps its status with the flag set; a second request is a 409', async () => {
    clock.set(APRIL_1);
    const sub = await subscribe({ customer_id: (await customer()).id, plan_id: (await plan({ trial_days: 7 })).id });
    const res = await p.call('POST', `/v1/subscriptions/${sub.id}/cancel`, { body: { at_period_end: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'trialing', cancel_at_period_end: true, canceled_at: null });
    expectProblem(await p.call('POST', `/v1/subscriptions/${sub.id}/cancel`, { body: { at_period_end: true } }), 409, 'invalid_transition');

    const canceled = (await eventsOf(sub.id)).filter((e) => e.type === 'subscription.canceled');
    expect(canceled).toHaveLength(1);
    // A trialing subscription's period is its trial: it ends when the trial does.
    expect(canceled[0]!.data).toMatchObject({ at_period_end: true, effective_at: iso(APRIL_1 + 7 * DAY_MS), subscription: { cancel_at_period_end: true, status: 'trialing' } });
    expect((await p.call<Page<SubscriptionResource>>('GET', `/v1/subscriptions?status=canceled&customer_id=${sub.customer_id}`)).body.data).toEqual([]);
  });
});

describe('changing plan', () => {
  test('halfway through a 30-day April from 2900 to 9900 EUR: credit −1450, charge +4950', async () => {
    clock.set(APRIL_1);
    const basic = await plan({ price_amount: 2900 });
    const pro = await plan({ name: 'Pro', price_amount: 9900 });
    const sub = await subscribe({ customer_id: (await customer()).id, plan_id: basic.id });
    clock.set(Date.UTC(2026, 3, 16)); // 15 of 30 days left

    const res = await p.call('POST', `/v1/subscriptions/${sub.id}/change-plan`, { body: { plan_id: pro.id } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ plan_id: pro.id, plan_version: 1, current_period_start: iso(APRIL_1), current_period_end: iso(Date.UTC(2026, 4, 1)), version: 2 });

    const adjustments = await p.call<Page<AdjustmentResource>>('GET', `/v1/subscriptions/${sub.id}/adjustments`);
    expect(adjustments.status).toBe(200);
    // 2900 × 15/30 = 1450 and 9900 × 15/30 = 4950, by hand.
    expect(adjustments.body.data.map((a) => [a.kind, a.amount.amount, a.amount.currency, a.invoiced_at])).toEqual([
      ['proration_credit', -1450, 'EUR', null],
      ['proration_charge', 4950, 'EUR', null],
    ]);
    expect(adjustments.body.data[0]!.description).toContain('2026-04-16 to 2026-05-01');

    const changed = (await eventsOf(sub.id)).filter((e) => e.type === 'subscription.plan_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.data).toMatchObject({
      from: { plan_id: basic.id, plan_version: 1 },
      to: { plan_id: pro.id, plan_version: 1 },
      proration: {
        net: { amount: 3500, currency: 'EUR' },
        lines: [
          { kind: 'proration_credit', amount: { amount: -1450, currency: 'EUR' }, from: iso(Date.UTC(2026, 3, 16)), to: iso(Date.UTC(2026, 4, 1)) },
          { kind: 'proration_charge', amount: { amount: 4950, currency: 'EUR' } },
        ],
      },
    });
    expect(changed[0]!.data.proration.lines.map((l: { id: string }) => l.id)).toEqual(adjustments.body.data.map((a: { id: string }) => a.id));
  });

  test('to a plan without a price in its currency is a 409 naming plan_id, to another interval a 409; neither changes anything', async () => {
    clock.set(APRIL_1);
    const sub = await subscribe({ customer_id: (await customer()).id, plan_id: (await plan({ currency: 'EUR' })).id });
    const usd = await p.call<Problem>('POST', `/v1/subscriptions/${sub.id}/change-plan`, { body: { plan_id: (await plan({ currency: 'USD' })).id } });
    expectProblem(usd, 409, 'currency_mismatch');
    expect(usd.body.errors?.map((e) => e.field)).toEqual(['plan_id', 'currency']);
    expectProblem(await p.call('POST', `/v1/subscriptions/${sub.id}/change-plan`, { body: { plan_id: (await plan({ interval: 'year' })).id } }), 409, 'conflict');
    expect((await p.call('GET', `/v1/subscriptions/${sub.id}`)).body).toEqual(sub);
    expect((await p.call<Page<AdjustmentResource>>('GET', `/v1/subscriptions/${sub.id}/adjustments`)).body.data).toEqual([]);
  });

  test('while trialing it moves without proration lines', async () => {
    clock.set(APRIL_1);
    const sub = await subscribe({ customer_id: (await customer()).id, plan_id: (await plan({ trial_days: 14 })).id });
    clock.set(APRIL_1 + 5 * DAY_MS);
    const res = await p.call('POST', `/v1/subscriptions/${sub.id}/change-plan`, { body: { plan_id: (await plan({ price_amount: 9900 })).id } });
    expect(res.status).toBe(200);
    expect((await p.call<Page<AdjustmentResource>>('GET', `/v1/subscriptions/${sub.id}/adjustments`)).body.data).toEqual([]);
  });
});

describe('validation and access', () => {
  test('bad input is a 400 naming the field', async () => {
    clock.set(APRIL_1);
    const c = await customer();
    const pl = await plan();
    expectInvalid(await p.call('POST', '/v1/subscriptions', { body: { customer_id: 'nope', plan_id: pl.id } }), 'customer_id');
    expectInvalid(await p.call('POST', '/v1/subscriptions', { body: { customer_id: c.id } }), 'plan_id');
    expectInvalid(await p.call('POST', '/v1/subscriptions', { body: { customer_id: c.id, plan_id: pl.id, trial: 'no' } }), 'trial');
    expectInvalid(await p.call('GET', '/v1/subscriptions/sub_bad'), 'id');
    expectInvalid(await p.call('GET', '/v1/subscriptions?status=paused'), 'status');
    const sub = await subscribe({ customer_id: c.id, plan_id: pl.id });
    expectInvalid(await p.call('POST', `/v1/subscriptions/${sub.id}/cancel`, { body: { at_period_end: 'yes' } }), 'at_period_end');
    expectInvalid(await p.call('POST', `/v1/subscriptions/${sub.id}/change-plan`, { body: {} }), 'plan_id');
    expectProblem(await p.call('GET', '/v1/subscriptions/sub_00000000000000000000000000'), 404, 'not_found');
  });

  test('a viewer reads but cannot create, cancel or change (403)', async () => {
    clock.set(APRIL_1);
    const viewer = await p.tokenFor('viewer');
    const c = await customer();
    const pl = await plan();
    const sub = await subscribe({ customer_id: c.id, plan_id: pl.id });
    expect((await p.call('GET', `/v1/subscriptions/${sub.id}`, { token: viewer })).status).toBe(200);
    expect((await p.call('GET', `/v1/customers/${c.id}/subscriptions`, { token: viewer })).status).toBe(200);
    expectProblem(await p.call('POST', '/v1/subscriptions', { token: viewer, body: { customer_id: c.id, plan_id: pl.id } }), 403, 'forbidden');
    expectProblem(await p.call('POST', `/v1/subscriptions/${sub.id}/cancel`, { token: viewer }), 403, 'forbidden');
    expectProblem(await p.call('POST', `/v1/subscriptions/${sub.id}/change-plan`, { token: viewer, body: { plan_id: pl.id } }), 403, 'forbidden');
    expect((await p.call<Page<SubscriptionResource>>('GET', `/v1/customers/${c.id}/subscriptions`)).body.data).toHaveLength(1);
  });

  test('lists filter by status, customer and plan, and page with a cursor', async () => {
    clock.set(APRIL_1);
    const c = await customer(3);
    const pl = await plan();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await subscribe({ customer_id: c.id, plan_id: pl.id })).id);
    await p.call('POST', `/v1/subscriptions/${ids[0]}/cancel`);
    expect((await p.call<Page<SubscriptionResource>>('GET', `/v1/subscriptions?plan_id=${pl.id}&status=canceled`)).body.data.map((s: { id: string }) => s.id)).toEqual([ids[0]!]);
    const first = await p.call<Page<SubscriptionResource>>('GET', `/v1/subscriptions?plan_id=${pl.id}&limit=2`);
    expect(first.body.has_more).toBe(true);
    const second = await p.call<Page<SubscriptionResource>>('GET', `/v1/subscriptions?plan_id=${pl.id}&limit=2&cursor=${encodeURIComponent(first.body.next_cursor!)}`);
    expect([...first.body.data, ...second.body.data].map((s: { id: string }) => s.id)).toEqual([...ids].reverse());
    expectProblem(await p.call('GET', '/v1/customers/cus_00000000000000000000000000/subscriptions'), 404, 'not_found');
  });

  test('every route is in /openapi.json', async () => {
    const spec = (await p.call<OpenApiDocument>('GET', '/openapi.json', { token: null })).body;
    expect(spec.paths['/v1/subscriptions']!.post).toBeTruthy();
    expect(spec.paths['/v1/subscriptions']!.get).toBeTruthy();
    expect(spec.paths['/v1/subscriptions/{id}']!.get).toBeTruthy();
    expect(spec.paths['/v1/subscriptions/{id}/cancel']!.post).toBeTruthy();
    expect(spec.paths['/v1/subscriptions/{id}/change-plan']!.post).toBeTruthy();
    expect(spec.paths['/v1/subscriptions/{id}/adjustments']!.get).toBeTruthy();
    expect(spec.paths['/v1/customers/{id}/subscriptions']!.get).toBeTruthy();
    expect(spec.paths['/v1/subscriptions']!.post!.requestBody!.content['application/json']!.schema.required.sort()).toEqual(['customer_id', 'plan_id']);
  });
});

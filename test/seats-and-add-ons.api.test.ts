import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import { runBillingCycle } from '../src/billing/cycle.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { CustomerEntitlementsResource } from '../src/entitlements/contract.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { EventType } from '../src/events/catalog.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { AddOnResource, AdjustmentResource, SubscriptionResource } from '../src/subscriptions/contract.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { createTestPlatform, customerInput, expectProblem, type ApiResponse, type TestPlatform } from './harness.ts';

/**
 * Licensed seats and add-ons on a subscription, through the API: what each period's invoice
 * bills for them, what a change within the period is prorated at (checked by hand against
 * src/subscriptions/proration.ts's formula), and the `seats` entitlement.
 * April 2026 has 30 days: a change on April 16 leaves 15/30 of the period, on April 25 6/30.
 */
const APRIL_1 = Date.UTC(2026, 3, 1);
const APRIL_16 = Date.UTC(2026, 3, 16);
const APRIL_25 = Date.UTC(2026, 3, 25);
const MAY_1 = Date.UTC(2026, 4, 1);
const clock = manualClock(APRIL_1);
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

async function plan(terms: Record<string, unknown> = {}) {
  const res = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `s-${tag()}`, name: 'Team', price_amount: 2900, currency: 'USD', interval: 'month', trial_days: 0, seat_price: 1999, ...terms } });
  expect(res.status).toBe(201);
  return res.body;
}

/** A customer paying by card subscribed from APRIL_1 with `body`, its first invoice paid: active; the clock is left a day later. */
async function active(body: Record<string, unknown>) {
  clock.set(APRIL_1);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, ...body } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + DAY_MS);
  await runBillingCycle(p.deps);
  const read = await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${sub.body.id}`);
  expect(read.body.status).toBe('active');
  return { customerId: customer.body.id, sub: read.body };
}

async function invoicesOf(subId: string) {
  const res = await p.call<Page<InvoiceResource>>('GET', `/v1/invoices?subscription_id=${subId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data.toReversed();
}

/** The lines of an invoice as [kind, amount, quantity, description]. */
const linesOf = (invoice: InvoiceResource) => invoice.lines.map((l) => [l.kind, l.amount, l.quantity, l.description]);

async function eventsOf<T extends EventType>(subId: string, type: T) {
  const res = await p.call<Page<TypedEventResource<T>>>('GET', `/v1/events?subject=${subId}&type=${type}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function adjustmentsOf(subId: string) {
  return (await p.call<Page<AdjustmentResource>>('GET', `/v1/subscriptions/${subId}/adjustments`)).body.data.map((a) => [a.kind, a.amount.amount, a.description]);
}

const seats = (subId: string, n: unknown) => p.call<SubscriptionResource>('POST', `/v1/subscriptions/${subId}/seats`, { body: { seats: n } });
const attach = (subId: string, body: Record<string, unknown>) => p.call<AddOnResource>('POST', `/v1/subscriptions/${subId}/add-ons`, { body });
const remove = (subId: string, addOnId: string) => p.call<AddOnResource>('DELETE', `/v1/subscriptions/${subId}/add-ons/${addOnId}`);

function expectInvalid(res: ApiResponse, field: string): asserts res is ApiResponse<Problem> {
  expectProblem(res, 400, 'validation');
  expect(res.body.errors!.map((e) => e.field)).toContain(field);
}

describe('seats', () => {
  test('billed with the fee on the first invoice and on each renewal: seats × seat price, quantity the seats', async () => {
    const pl = await plan();
    const { sub } = await active({ plan_id: pl.id, seats: 12 });
    expect(sub.seats).toBe(12);
    // Consumers of the subscription's events see the licensed count too.
    const [created] = await eventsOf(sub.id, 'subscription.created');
    expect(created!.data.subscription.seats).toBe(12);
    const [first] = await invoicesOf(sub.id);
    expect(first!.billing_reason).toBe('subscription_create');
    expect(linesOf(first!)).toEqual([
      ['subscription_fee', 2900, 1, 'Team (v1), 2026-04-01 to 2026-05-01'],
      ['seats', 12 * 1999, 12, '12 seats × 19.99 USD, 2026-04-01 to 2026-05-01'],
    ]);
    expect(first!.subtotal).toBe(2900 + 23_988);

    clock.set(MAY_1 + DAY_MS);
    await runBillingCycle(p.deps);
    const [, renewal] = await invoicesOf(sub.id);
    expect(renewal!.billing_reason).toBe('subscription_cycle');
    expect(linesOf(renewal!)).toEqual([
      ['subscription_fee', 2900, 1, 'Team (v1), 2026-05-01 to 2026-06-01'],
      ['seats', 23_988, 12, '12 seats × 19.99 USD, 2026-05-01 to 2026-06-01'],
    ]);
  });

  test('one seat by default; a plan without a seat price bills no seats line', async () => {
    const { sub } = await active({ plan_id: (await plan({ seat_price: 0 })).id });
    expect(sub.seats).toBe(1);
    const [first] = await invoicesOf(sub.id);
    expect(first!.lines.map((l) => l.kind)).toEqual(['subscription_fee']);
    const single = await active({ plan_id: (await plan()).id });
    expect(linesOf((await invoicesOf(single.sub.id))[0]!)[1]).toEqual(['seats', 1999, 1, '1 seat × 19.99 USD, 2026-04-01 to 2026-05-01']);
  });

  test('in another currency of the plan, the seat price of that currency', async () => {
    const pl = await plan({ prices: { EUR: { price_amount: 2700, seat_price: 1800 } } });
    const { sub } = await active({ plan_id: pl.id, currency: 'EUR', seats: 3 });
    const [first] = await invoicesOf(sub.id);
    expect(first!.currency).toBe('EUR');
    expect(linesOf(first!)).toEqual([
      ['subscription_fee', 2700, 1, 'Team (v1), 2026-04-01 to 2026-05-01'],
      ['seats', 5400, 3, '3 seats × 18.00 EUR, 2026-04-01 to 2026-05-01'],
    ]);
  });

  test('more seats mid-period charge the rest of the period, fewer credit it; both on the next invoice, to the minor unit', async () => {
    const { sub } = await active({ plan_id: (await plan()).id, seats: 12 });

    clock.set(APRIL_16);
    const up = await seats(sub.id, 14);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ seats: 14, version: sub.version + 1 });
    clock.set(APRIL_25);
    const down = await seats(sub.id, 11);
    expect(down.body.seats).toBe(11);
    // Asking for the seats it has changes nothing.
    expect((await seats(sub.id, 11)).body).toEqual(down.body);

    // 2 × 1999 × 15/30 = 1999; 3 × 1999 × 6/30 = 1199.4 → 1199, rounded half away from zero.
    expect(await adjustmentsOf(sub.id)).toEqual([
      ['proration_charge', 1999, '2 more seats × 19.99 USD (12 → 14), remaining time from 2026-04-16 to 2026-05-01'],
      ['proration_credit', -1199, '3 fewer seats × 19.99 USD (14 → 11), unused time from 2026-04-25 to 2026-05-01'],
    ]);
    const changed = await eventsOf(sub.id, 'subscription.seats_changed');
    expect(changed.map((e) => [e.data.from, e.data.to, e.data.proration.net.amount, e.data.proration.lines.map((l) => l.kind)])).toEqual([
      [12, 14, 1999, ['proration_charge']],
      [14, 11, -1199, ['proration_credit']],
    ]);
    expect(changed[0]!.data.seat_price).toEqual({ amount: 1999, currency: 'USD' });
    const audit = await p.call<Page<{ action: string }>>('GET', `/v1/audit?target_id=${sub.id}&action=subscription.change_seats`);
    expect(audit.body.data).toHaveLength(2);

    clock.set(MAY_1 + DAY_MS);
    await runBillingCycle(p.deps);
    const [, renewal] = await invoicesOf(sub.id);
    expect(renewal!.lines.map((l) => [l.kind, l.amount, l.quantity])).toEqual([
      ['subscription_fee', 2900, 1],
      ['seats', 11 * 1999, 11],
      ['proration_charge', 1999, 1],
      ['proration_credit', -1199, 1],
    ]);
    expect(renewal!.subtotal).toBe(2900 + 21_989 + 1999 - 1199);
  });

  test("a plan change mid-period prorates the seats at each version's seat price with the fee", async () => {
    const { sub } = await active({ plan_id: (await plan()).id, seats: 4 });
    const pro = await plan({ name: 'Pro', price_amount: 9900, seat_price: 2500 });
    clock.set(APRIL_16);
    expect((await p.call('POST', `/v1/subscriptions/${sub.id}/change-plan`, { body: { plan_id: pro.id } })).status).toBe(200);
    // (2900 + 4 × 1999) × 15/30 = 5448; (9900 + 4 × 2500) × 15/30 = 9950.
    expect(await adjustmentsOf(sub.id)).toEqual([
      ['proration_credit', -5448, 'Unused time on Team (v1) with 4 seats from 2026-04-16 to 2026-05-01'],
      ['proration_charge', 9950, 'Remaining time on Pro (v1) with 4 seats from 2026-04-16 to 2026-05-01'],
    ]);
    clock.set(MAY_1 + DAY_MS);
    await runBillingCycle(p.deps);
    const [, renewal] = await invoicesOf(sub.id);
    expect(renewal!.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['subscription_fee', 9900],
      ['seats', 10_000],
      ['proration_credit', -5448],
      ['proration_charge', 9950],
    ]);
  });

  test('while trialing the count changes without proration', async () => {
    clock.set(APRIL_1);
    const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: (await plan({ trial_days: 14 })).id, seats: 2 } });
    expect(sub.body.status).toBe('trialing');
    clock.set(APRIL_1 + 3 * DAY_MS);
    expect((await seats(sub.body.id, 5)).body.seats).toBe(5);
    expect(await adjustmentsOf(sub.body.id)).toEqual([]);
  });

  test("the subscription's licensed count is its seats entitlement, over a plan's own seats when it bills per seat", async () => {
    const entitlementsOf = async (customerId: string) => (await p.call<CustomerEntitlementsResource>('GET', `/v1/customers/${customerId}/entitlements`)).body.data.filter((e) => e.feature === 'seats');
    const bare = await active({ plan_id: (await plan()).id, seats: 12 });
    expect(await entitlementsOf(bare.customerId)).toEqual([{ feature: 'seats', type: 'static', value: 12, source: 'licensed' }]);
    await seats(bare.sub.id, 14);
    expect(await entitlementsOf(bare.customerId)).toEqual([{ feature: 'seats', type: 'static', value: 14, source: 'licensed' }]);
    const check = await p.call<{ allowed: boolean; value?: number }>('POST', '/v1/entitlements/check', { body: { customer_id: bare.customerId, feature: 'seats' } });
    expect(check.body).toMatchObject({ allowed: true, value: 14 });

    const entitled = { entitlements: { seats: { type: 'static', value: 10 } } };
    const perSeat = await active({ plan_id: (await plan(entitled)).id, seats: 3 });
    expect(await entitlementsOf(perSeat.customerId)).toEqual([{ feature: 'seats', type: 'static', value: 3, source: 'licensed' }]);
    // A plan that sells no seats keeps its fixed allowance.
    const allowance = await active({ plan_id: (await plan({ ...entitled, seat_price: 0 })).id, seats: 3 });
    expect(await entitlementsOf(allowance.customerId)).toEqual([{ feature: 'seats', type: 'static', value: 10, source: 'plan' }]);
    // An override wins over both.
    expect((await p.call('PUT', `/v1/subscriptions/${perSeat.sub.id}/entitlements/seats`, { body: { type: 'static', value: 50 } })).status).toBe(200);
    expect(await entitlementsOf(perSeat.customerId)).toEqual([{ feature: 'seats', type: 'static', value: 50, source: 'override' }]);
  });
});

describe('add-ons', () => {
  test('attached and removed mid-period: prorated charge and credit, one add_on line per active add-on on the next invoice', async () => {
    const { sub } = await active({ plan_id: (await plan({ seat_price: 0 })).id });

    clock.set(APRIL_16);
    const support = await attach(sub.id, { code: 'Priority-Support', name: 'Priority support', unit_amount: 1000, quantity: 3 });
    expect(support.status).toBe(201);
    expect(support.body).toMatchObject({ object: 'subscription_add_on', subscription_id: sub.id, code: 'priority-support', name: 'Priority support', unit_amount: 1000, quantity: 3, currency: 'USD', removed_at: null, version: 1 });
    expect(support.body.id).toMatch(/^sao_[0-9A-Z]{26}$/);
    const sla = await attach(sub.id, { code: 'sla', name: 'SLA', unit_amount: 333 });
    expect(sla.body.quantity).toBe(1);

    clock.set(APRIL_25);
    const removed = await remove(sub.id, sla.body.id);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: sla.body.id, removed_at: new Date(APRIL_25).toISOString(), version: 2 });
    // Removing it again answers it as it is.
    expect((await remove(sub.id, sla.body.id)).body).toEqual(removed.body);

    // 3000 × 15/30 = 1500; 333 × 15/30 = 166.5 → 167; 333 × 6/30 = 66.6 → −67.
    expect(await adjustmentsOf(sub.id)).toEqual([
      ['proration_charge', 1500, 'Add-on Priority support (priority-support): 3 × 10.00 USD, remaining time from 2026-04-16 to 2026-05-01'],
      ['proration_charge', 167, 'Add-on SLA (sla): 1 × 3.33 USD, remaining time from 2026-04-16 to 2026-05-01'],
      ['proration_credit', -67, 'Add-on SLA (sla): 1 × 3.33 USD, unused time from 2026-04-25 to 2026-05-01'],
    ]);
    expect((await eventsOf(sub.id, 'subscription.add_on_attached')).map((e) => [e.data.add_on.code, e.data.proration.net.amount])).toEqual([
      ['priority-support', 1500],
      ['sla', 167],
    ]);
    expect((await eventsOf(sub.id, 'subscription.add_on_removed')).map((e) => [e.data.add_on.id, e.data.proration.net.amount])).toEqual([[sla.body.id, -67]]);

    const list = await p.call<Page<AddOnResource>>('GET', `/v1/subscriptions/${sub.id}/add-ons?limit=1`);
    expect(list.body.data.map((a) => a.id)).toEqual([support.body.id]);
    const rest = await p.call<Page<AddOnResource>>('GET', `/v1/subscriptions/${sub.id}/add-ons?limit=1&cursor=${encodeURIComponent(list.body.next_cursor!)}`);
    expect(rest.body.data).toEqual([removed.body]);

    clock.set(MAY_1 + DAY_MS);
    await runBillingCycle(p.deps);
    const [, renewal] = await invoicesOf(sub.id);
    expect(renewal!.lines.map((l) => [l.kind, l.amount, l.quantity, l.source_id])).toEqual([
      ['subscription_fee', 2900, 1, null],
      ['add_on', 3000, 3, support.body.id],
      ['proration_charge', 1500, 1, expect.stringMatching(/^sad_/)],
      ['proration_charge', 167, 1, expect.stringMatching(/^sad_/)],
      ['proration_credit', -67, 1, expect.stringMatching(/^sad_/)],
    ]);
    expect(renewal!.lines[1]!.description).toBe('Add-on Priority support (priority-support): 3 × 10.00 USD, 2026-05-01 to 2026-06-01');
  });

  test("seats and add-ons count as the period's spend against a minimum spend", async () => {
    const { sub } = await active({ plan_id: (await plan()).id, seats: 2 });
    clock.set(APRIL_1 + DAY_MS);
    // From the next period on: 2900 + 2 × 1999 + 1000 = 7898 a period.
    expect((await p.call('PUT', `/v1/subscriptions/${sub.id}/minimum-spend`, { body: { amount: 10_000 } })).status).toBe(200);
    clock.set(APRIL_16);
    await attach(sub.id, { code: 'extra', name: 'Extra', unit_amount: 1000 });
    clock.set(MAY_1 + DAY_MS);
    await runBillingCycle(p.deps);
    clock.set(Date.UTC(2026, 5, 1) + DAY_MS);
    await runBillingCycle(p.deps);
    const [, , june] = await invoicesOf(sub.id);
    // May billed 2900 + 3998 + 1000 = 7898 in advance: the true-up is 10,000 − 7898 = 2102.
    expect(june!.lines.filter((l) => l.kind === 'minimum_spend_true_up').map((l) => l.amount)).toEqual([2102]);
  });

  test('one active add-on per code; the code is free again once removed', async () => {
    const { sub } = await active({ plan_id: (await plan()).id });
    const first = await attach(sub.id, { code: 'sso', name: 'SSO', unit_amount: 500 });
    const again = await attach(sub.id, { code: 'SSO', name: 'SSO', unit_amount: 600 });
    expectProblem(again, 409, 'conflict');
    expect(again.body.field).toBe('code');
    await remove(sub.id, first.body.id);
    expect((await attach(sub.id, { code: 'sso', name: 'SSO', unit_amount: 600 })).status).toBe(201);
  });
});

describe('validation and access', () => {
  test('bad seats and add-ons are a 400 naming the field', async () => {
    const pl = await plan();
    const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    for (const bad of [0, 1.5, 1_000_001, '12']) expectInvalid(await p.call('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: pl.id, seats: bad } }), 'seats');
    const { sub } = await active({ plan_id: pl.id });
    for (const bad of [0, -1, 2.5, 1_000_001, null]) expectInvalid(await seats(sub.id, bad), 'seats');
    expectInvalid(await p.call('POST', `/v1/subscriptions/${sub.id}/seats`, { body: {} }), 'seats');
    const good = { code: 'extra', name: 'Extra', unit_amount: 100 };
    expectInvalid(await attach(sub.id, { ...good, code: '-extra' }), 'code');
    expectInvalid(await attach(sub.id, { ...good, code: 'a b' }), 'code');
    expectInvalid(await attach(sub.id, { ...good, name: '' }), 'name');
    expectInvalid(await attach(sub.id, { ...good, unit_amount: -1 }), 'unit_amount');
    expectInvalid(await attach(sub.id, { ...good, unit_amount: 1.5 }), 'unit_amount');
    expectInvalid(await attach(sub.id, { ...good, quantity: 0 }), 'quantity');
    expectInvalid(await attach(sub.id, { code: 'x', name: 'X' }), 'unit_amount');
    expectInvalid(await remove(sub.id, 'sao_bad'), 'addOnId');
    expectProblem(await remove(sub.id, 'sao_00000000000000000000000000'), 404, 'not_found');
    expectProblem(await seats('sub_00000000000000000000000000', 2), 404, 'not_found');
  });

  test("a period's seats or add-on past one charge's ceiling is a 422 naming the field", async () => {
    const pricey = await plan({ seat_price: 10_000_000 });
    const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    const tooMany = await p.call<Problem>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: pricey.id, seats: 100_001 } });
    expectProblem(tooMany, 422, 'amount_out_of_range');
    expect(tooMany.body.field).toBe('seats');
    const { sub } = await active({ plan_id: pricey.id, seats: 100_000 });
    expectProblem(await seats(sub.id, 100_001), 422, 'amount_out_of_range');
    const addOn = await attach(sub.id, { code: 'big', name: 'Big', unit_amount: 1_000_000_000_000, quantity: 2 });
    expectProblem(addOn, 422, 'amount_out_of_range');
    expect(addOn.body.field).toBe('unit_amount');
  });

  test('a canceled subscription takes no seats or add-on change (409)', async () => {
    const { sub } = await active({ plan_id: (await plan()).id });
    const kept = await attach(sub.id, { code: 'kept', name: 'Kept', unit_amount: 100 });
    expect((await p.call('POST', `/v1/subscriptions/${sub.id}/cancel`)).status).toBe(200);
    expectProblem(await seats(sub.id, 3), 409, 'invalid_transition');
    expectProblem(await attach(sub.id, { code: 'late', name: 'Late', unit_amount: 100 }), 409, 'invalid_transition');
    expectProblem(await remove(sub.id, kept.body.id), 409, 'invalid_transition');
  });

  test('a viewer reads add-ons but cannot change seats or add-ons (403); a retried seats change replays', async () => {
    const viewer = await p.tokenFor('viewer');
    const { sub } = await active({ plan_id: (await plan()).id });
    const addOn = await attach(sub.id, { code: 'v', name: 'V', unit_amount: 100 });
    expect((await p.call('GET', `/v1/subscriptions/${sub.id}/add-ons`, { token: viewer })).status).toBe(200);
    expectProblem(await p.call('POST', `/v1/subscriptions/${sub.id}/seats`, { token: viewer, body: { seats: 2 } }), 403, 'forbidden');
    expectProblem(await p.call('POST', `/v1/subscriptions/${sub.id}/add-ons`, { token: viewer, body: { code: 'w', name: 'W', unit_amount: 1 } }), 403, 'forbidden');
    expectProblem(await p.call('DELETE', `/v1/subscriptions/${sub.id}/add-ons/${addOn.body.id}`, { token: viewer }), 403, 'forbidden');

    const headers = { 'Idempotency-Key': `seats-${tag()}` };
    const first = await p.call<SubscriptionResource>('POST', `/v1/subscriptions/${sub.id}/seats`, { body: { seats: 4 }, headers });
    const retry = await p.call<SubscriptionResource>('POST', `/v1/subscriptions/${sub.id}/seats`, { body: { seats: 4 }, headers });
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await eventsOf(sub.id, 'subscription.seats_changed')).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { PaymentResource } from '../src/payments/contract.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { OverviewResource } from '../src/reports/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { TestClockAdvanceResource, TestClockResource } from '../src/test-clocks/contract.ts';
import type { UsageBatchResource } from '../src/usage/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * Sandbox customers on test clocks, through the API. The wall clock stands at 2026-06-01
 * while the test clocks start on 2026-01-01, so anything that used the wall clock for a
 * sandbox customer (or the test clock for a live one) shows in the dates.
 *
 *   Starter 29.00 EUR/month, 14-day trial, 100,000 tokens included, 2.00 EUR per 1,000 over; no tax.
 *   Clock A, customer tok_ok: trial Jan 1 – Jan 15; 13 renewals Jan 15 2026 … Jan 15 2027, each 2900,
 *     except the one of Feb 15, which also bills Jan 15 – Feb 15's 150,000 tokens:
 *     50,000 over × 200 / 1000 = 10,000 → 12,900.
 *   Clock B, customer tok_decline: the trial ends Jan 15, the charge is declined, dunning retries
 *     1, 3 and 5 days after the first failure (Jan 16, 18, 20), then the invoice is uncollectible
 *     and the subscription canceled.
 */
const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const iso = (ms: number) => new Date(ms).toISOString();
const WALL = at(2026, 6, 1);
const clock = manualClock(WALL);
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
let plan: PlanResource;

const newClock = (name: string, start: number) => f.ok<TestClockResource>('POST', '/v1/test-clocks', { name, frozen_time: iso(start) }, 201);
const advance = (id: string, to: number) => f.ok<TestClockAdvanceResource>('POST', `/v1/test-clocks/${id}/advance`, { frozen_time: iso(to) });
const invoicesOf = (customerId: string) => f.invoices(`customer_id=${customerId}`);
const sub = (id: string) => f.ok<SubscriptionResource>('GET', `/v1/subscriptions/${id}`);

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() } });
  f = billingFixtures(p);
  plan = await f.plan({ name: 'Starter', price_amount: 2900, trial_days: 14, included_tokens: 100_000, overage_price_per_1k: 200 });
});
afterAll(() => p.close());

describe('test clocks', () => {
  let clockA: TestClockResource;
  let clockB: TestClockResource;
  let sandboxA: CustomerResource;
  let sandboxB: CustomerResource;
  let subA: SubscriptionResource;
  let subB: SubscriptionResource;
  let live: CustomerResource;
  let liveSub: SubscriptionResource;
  let newest = '';

  test('a sandbox customer lives on its clock: it subscribes at the clock time, and the live pass never touches it', async () => {
    clockA = await newClock('pricing check A', at(2026, 1, 1));
    expect(clockA).toMatchObject({ object: 'test_clock', name: 'pricing check A', frozen_time: iso(at(2026, 1, 1)), status: 'ready', advancing_to: null, customers: 0 });
    clockB = await newClock('dunning check B', at(2026, 1, 1));

    sandboxA = await f.customer({ payment_method: 'tok_ok', test_clock_id: clockA.id });
    expect(sandboxA.test_clock_id).toBe(clockA.id);
    // Consumers (webhooks, other services) can tell a sandbox customer's events apart; a live one's carry no such field.
    expect((await f.eventsOf(sandboxA.id)).find((e) => e.type === 'customer.onboarded')?.data).toMatchObject({ customer: { id: sandboxA.id, test_clock_id: clockA.id } });
    sandboxB = await f.customer({ payment_method: 'tok_decline', test_clock_id: clockB.id });
    live = await f.customer({ payment_method: 'tok_ok' });
    expect(live.test_clock_id).toBeNull();
    expect(await f.ok('GET', `/v1/test-clocks/${clockA.id}`)).toMatchObject({ customers: 1 });

    subA = await f.subscribe({ customer_id: sandboxA.id, plan_id: plan.id });
    expect(subA).toMatchObject({ status: 'trialing', current_period_start: iso(at(2026, 1, 1)), current_period_end: iso(at(2026, 1, 15)), trial_end: iso(at(2026, 1, 15)) });
    subB = await f.subscribe({ customer_id: sandboxB.id, plan_id: plan.id });
    // Paid as it subscribes, on the wall clock.
    liveSub = await f.subscribe({ customer_id: live.id, plan_id: plan.id, trial: false });
    expect(liveSub).toMatchObject({ status: 'active', current_period_start: iso(WALL) });

    // The wall clock is months past the sandbox trials' end: the live pass leaves them alone.
    const report = await f.cycle();
    expect(report).toMatchObject({ advanced: 0, attempted: 0, errors: 0 });
    expect(await sub(liveSub.id)).toMatchObject({ status: 'active' });
    expect(await sub(subA.id)).toMatchObject({ status: 'trialing' });
    expect(await sub(subB.id)).toMatchObject({ status: 'trialing' });
    expect(await invoicesOf(sandboxA.id)).toEqual([]);
    expect(await invoicesOf(sandboxB.id)).toEqual([]);
  });

  test('usage is checked and recorded at the clock time; an advance bills only its own clock', async () => {
    const recorded = await advance(clockA.id, at(2026, 1, 20));
    expect(recorded).toMatchObject({ frozen_time: iso(at(2026, 1, 20)), status: 'ready', advance: { from: iso(at(2026, 1, 1)), to: iso(at(2026, 1, 20)), advanced: 1, attempted: 1, errors: 0 } });
    expect(await sub(subA.id)).toMatchObject({ status: 'active', current_period_start: iso(at(2026, 1, 15)), current_period_end: iso(at(2026, 2, 15)) });
    // Clock B did not move: its customer is still in its trial, although clock A is past its end.
    expect(await f.ok('GET', `/v1/test-clocks/${clockB.id}`)).toMatchObject({ frozen_time: iso(at(2026, 1, 1)) });
    expect(await sub(subB.id)).toMatchObject({ status: 'trialing' });
    expect(await invoicesOf(sandboxB.id)).toEqual([]);

    const batch = await f.ok<UsageBatchResource>('POST', '/v1/usage', {
      records: [
        // The trial was closed when it ended on the clock (Jan 15), five months before the wall clock.
        { id: 'u-trial', customer_id: sandboxA.id, model: 'gpt', tokens: 500_000, occurred_at: iso(at(2026, 1, 10)) },
        { id: 'u-1', customer_id: sandboxA.id, model: 'gpt', tokens: 150_000, occurred_at: iso(at(2026, 1, 18)) },
        // Past on the wall clock, but days ahead of clock A.
        { id: 'u-future', customer_id: sandboxA.id, model: 'gpt', tokens: 1, occurred_at: iso(at(2026, 1, 25)) },
      ],
    });
    expect(batch.results.map((r) => [r.status, r.reason ?? null])).toEqual([
      ['refused', 'period_closed'],
      ['accepted', null],
      ['refused', 'in_future'],
    ]);
    // Without ?period_start the current period is the clock's.
    expect(await f.ok(`GET`, `/v1/subscriptions/${subA.id}/usage`)).toMatchObject({ period_start: iso(at(2026, 1, 15)), used_tokens: 150_000, overage_tokens: 50_000 });
  });

  test('a year on the clock renews every period, in order, with usage billed in its period', async () => {
    const year = await advance(clockA.id, at(2027, 1, 20));
    expect(year).toMatchObject({ frozen_time: iso(at(2027, 1, 20)), status: 'ready', customers: 1, advance: { advanced: 12, attempted: 12, errors: 0 } });
    const invoices = await invoicesOf(sandboxA.id);
    expect(invoices).toHaveLength(13);
    const starts = Array.from({ length: 13 }, (_, i) => at(2026, 1 + i, 15));
    expect(invoices.map((i) => [i.period_start, i.period_end, i.status, i.total, i.amount_paid])).toEqual(
      starts.map((start, i) => [iso(start), iso(at(2026, 2 + i, 15)), 'paid', i === 1 ? 12_900 : 2900, i === 1 ? 12_900 : 2900]),
    );
    // The Feb 15 invoice bills Jan 15 – Feb 15's overage.
    expect(invoices[1]!.lines.map((l) => l.amount)).toEqual([2900, 10_000]);
    expect(invoices.map((i) => i.finalized_at)).toEqual(starts.map(iso));
    expect(await sub(subA.id)).toMatchObject({ status: 'active', current_period_start: iso(at(2027, 1, 15)), current_period_end: iso(at(2027, 2, 15)) });

    // The same events as live, dated on the clock; and the clock's own.
    const paid = (await f.eventsOf(invoices[5]!.id)).map((e) => [e.type, e.time]);
    expect(paid).toContainEqual(['invoice.paid', iso(starts[5]!)]);
    const advanced = await f.eventTypes('test_clock.advanced');
    expect(advanced.map((e) => e.data)).toContainEqual({ test_clock: { id: clockA.id, name: 'pricing check A', frozen_time: iso(at(2027, 1, 20)), status: 'ready' }, previous_frozen_time: iso(at(2026, 1, 20)), steps: year.advance.steps });

    // The live customer was not billed again by any of that.
    expect(await invoicesOf(live.id)).toHaveLength(1);
  });

  test('a declining card is dunned over the simulated days: past_due, then uncollectible and canceled', async () => {
    await advance(clockB.id, at(2026, 1, 17));
    expect(await sub(subB.id)).toMatchObject({ status: 'past_due' });
    const [open] = await invoicesOf(sandboxB.id);
    expect(open).toMatchObject({ status: 'open', attempt_count: 2, next_attempt_at: iso(at(2026, 1, 18)) });

    const done = await advance(clockB.id, at(2026, 2, 1));
    expect(done.advance).toMatchObject({ attempted: 2, errors: 0 });
    expect(await sub(subB.id)).toMatchObject({ status: 'canceled', canceled_at: iso(at(2026, 1, 20)) });
    expect(await invoicesOf(sandboxB.id)).toMatchObject([{ status: 'uncollectible', uncollectible_at: iso(at(2026, 1, 20)), attempt_count: 4 }]);
    const payments = (await f.ok<Page<PaymentResource>>('GET', `/v1/customers/${sandboxB.id}/payments`)).data.reverse();
    expect(payments.map((x) => [x.trigger, x.attempt, x.status, x.created_at])).toEqual([
      ['automatic', 1, 'failed', iso(at(2026, 1, 15))],
      ['automatic', 2, 'failed', iso(at(2026, 1, 16))],
      ['automatic', 3, 'failed', iso(at(2026, 1, 18))],
      ['automatic', 4, 'failed', iso(at(2026, 1, 20))],
    ]);
    // Clock A, a year ahead, was not moved by B's advance.
    expect(await f.ok('GET', `/v1/test-clocks/${clockA.id}`)).toMatchObject({ frozen_time: iso(at(2027, 1, 20)) });
    expect(await invoicesOf(sandboxA.id)).toHaveLength(13);
  });

  test('operators acting on a sandbox customer act at its clock time: subscribe, pay, change plan, cancel', async () => {
    const clockC = await newClock('manual verbs C', at(2026, 3, 1));
    newest = clockC.id;
    const pro = await f.plan({ name: 'Pro', price_amount: 5900, trial_days: 0 });
    const customer = await f.customer({ payment_method: 'tok_decline', test_clock_id: clockC.id });
    const created = await f.subscribe({ customer_id: customer.id, plan_id: plan.id, trial: false });
    expect(created).toMatchObject({ status: 'incomplete', current_period_start: iso(at(2026, 3, 1)), current_period_end: iso(at(2026, 4, 1)) });
    const [first] = await invoicesOf(customer.id);
    // Its first attempt ran as it subscribed, at the clock's time, and was declined: dunning retries a day later on the clock.
    expect(first).toMatchObject({ status: 'open', finalized_at: iso(at(2026, 3, 1)), attempt_count: 1, next_attempt_at: iso(at(2026, 3, 2)) });

    const paid = await f.ok<PaymentResource>('POST', `/v1/invoices/${first!.id}/pay`, { payment_method: 'tok_ok' });
    expect(paid).toMatchObject({ status: 'succeeded', trigger: 'manual', created_at: iso(at(2026, 3, 1)) });
    expect(await invoicesOf(customer.id)).toMatchObject([{ status: 'paid', paid_at: iso(at(2026, 3, 1)) }]);

    await advance(clockC.id, at(2026, 3, 16));
    await f.ok('POST', `/v1/subscriptions/${created.id}/change-plan`, { plan_id: pro.id });
    const [changed] = await f.eventTypes('subscription.plan_changed');
    expect(changed!.data.proration.lines.map((l) => [l.kind, l.from, l.to])).toEqual([
      ['proration_credit', iso(at(2026, 3, 16)), iso(at(2026, 4, 1))],
      ['proration_charge', iso(at(2026, 3, 16)), iso(at(2026, 4, 1))],
    ]);
    const ending = await f.ok<SubscriptionResource>('POST', `/v1/subscriptions/${created.id}/cancel`, { at_period_end: true });
    expect(ending).toMatchObject({ cancel_at_period_end: true, current_period_end: iso(at(2026, 4, 1)) });
    await advance(clockC.id, at(2026, 4, 2));
    expect(await sub(created.id)).toMatchObject({ status: 'canceled', canceled_at: iso(at(2026, 4, 1)) });
  });

  test('an advance retried with its Idempotency-Key replays the answer and runs nothing again', async () => {
    const clockD = await newClock('retry D', at(2026, 1, 1));
    newest = clockD.id;
    const headers = { 'Idempotency-Key': `advance-${clockD.id}` };
    const first = await p.call<TestClockAdvanceResource>('POST', `/v1/test-clocks/${clockD.id}/advance`, { body: { frozen_time: iso(at(2026, 1, 3)) }, headers });
    expect(first.body).toMatchObject({ frozen_time: iso(at(2026, 1, 3)), advance: { steps: 3 } });
    const again = await p.call<TestClockAdvanceResource>('POST', `/v1/test-clocks/${clockD.id}/advance`, { body: { frozen_time: iso(at(2026, 1, 3)) }, headers });
    expect(again.status).toBe(200);
    expect(again.headers.get('Idempotency-Replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await f.eventsOf(clockD.id)).map((e) => e.type)).toEqual(['test_clock.created', 'test_clock.advanced']);
  });

  test('reports count live customers only', async () => {
    const overview = await f.ok<OverviewResource>('GET', '/v1/reports/overview');
    expect(overview.currencies.find((c) => c.currency === 'EUR')?.mrr).toEqual({ amount: 2900, currency: 'EUR' });
    expect(overview.subscriptions).toMatchObject({ active: 1, past_due: 0, trialing: 0 });
  });

  test('a live customer can never be attached to a clock', async () => {
    const patched = await p.call<Problem>('PATCH', `/v1/customers/${live.id}`, { body: { test_clock_id: clockA.id } });
    expect(patched.status).toBe(400);
    expect(patched.body.errors?.map((e) => e.field)).toContain('test_clock_id');
    expect(await f.ok<CustomerResource>('GET', `/v1/customers/${live.id}`)).toMatchObject({ test_clock_id: null });
    const unknown = await p.call<Problem>('POST', '/v1/customers', { body: { name: 'X', email: 'x-unknown@example.com', kind: 'sme', country: 'DE', test_clock_id: 'clk_00000000000000000000000000' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'test_clock_id', message: 'test clock clk_00000000000000000000000000 does not exist' }]);
  });

  test('advances only go forward, at most two years; operators who are not admins cannot use clocks', async () => {
    const back = await p.call<Problem>('POST', `/v1/test-clocks/${clockA.id}/advance`, { body: { frozen_time: iso(at(2026, 6, 1)) } });
    expect(back.status).toBe(400);
    expect(back.body.errors?.[0]?.field).toBe('frozen_time');
    const far = await p.call<Problem>('POST', `/v1/test-clocks/${clockA.id}/advance`, { body: { frozen_time: iso(at(2029, 2, 1)) } });
    expect(far.status).toBe(400);
    const operator = await p.call('POST', '/v1/test-clocks', { body: { name: 'nope', frozen_time: iso(WALL) }, token: await p.tokenFor('operator') });
    expect(operator.status).toBe(403);
    const page = await f.ok<Page<TestClockResource>>('GET', '/v1/test-clocks?limit=1');
    expect(page).toMatchObject({ data: [{ id: newest }], has_more: true });
  });

  test('deleting a clock archives its customers: they stay sandbox customers and no one joins the clock', async () => {
    const deleted = await f.ok<TestClockResource>('DELETE', `/v1/test-clocks/${clockB.id}`);
    expect(deleted).toMatchObject({ id: clockB.id, customers: 1 });
    expect((await p.call('GET', `/v1/test-clocks/${clockB.id}`)).status).toBe(404);
    expect(await f.ok<CustomerResource>('GET', `/v1/customers/${sandboxB.id}`)).toMatchObject({ test_clock_id: clockB.id });
    const joining = await p.call<Problem>('POST', '/v1/customers', { body: { name: 'Y', email: 'y-late@example.com', kind: 'sme', country: 'DE', test_clock_id: clockB.id } });
    expect(joining.status).toBe(400);
    expect((await f.eventTypes('test_clock.deleted')).map((e) => e.data)).toEqual([{ test_clock: { id: clockB.id, name: 'dunning check B', frozen_time: iso(at(2026, 2, 1)), status: 'ready' }, archived_customers: 1 }]);
    const audit = await f.ok<Page<{ action: string }>>('GET', `/v1/audit?target_id=${clockB.id}`);
    expect(audit.data.map((a) => a.action).sort()).toEqual(['test_clock.advance', 'test_clock.advance', 'test_clock.create', 'test_clock.delete']);
  });
});

describe('coupons and entitlements on a sandbox customer run at its clock time', () => {
  test('a coupon valid until July is refused in the clock’s August but taken on the wall clock’s June; the entitlements period is the clock’s', async () => {
    await f.ok('POST', '/v1/coupons', { code: 'SUMMER', name: 'Summer', percent_off_bps: 1000, duration: 'once', redeem_by: iso(at(2026, 7, 1)) }, 201);
    const metered = await f.plan({ name: 'Metered', price_amount: 1000, entitlements: { exports: { type: 'metered', limit: 5 } } });
    const testClock = await newClock('coupon check', at(2026, 8, 1));
    const sandbox = await f.customer({ payment_method: 'tok_ok', test_clock_id: testClock.id });
    const subscription = await f.subscribe({ customer_id: sandbox.id, plan_id: metered.id, trial: false });
    const late = await p.call<Problem>('POST', `/v1/subscriptions/${subscription.id}/discount`, { body: { coupon: 'SUMMER' } });
    expect([late.status, (late.body as Problem & { reason?: string }).reason]).toEqual([409, 'expired']);
    const live = await f.customer({ payment_method: 'tok_ok' });
    const liveSub = await f.subscribe({ customer_id: live.id, plan_id: metered.id, trial: false });
    expect((await p.call('POST', `/v1/subscriptions/${liveSub.id}/discount`, { body: { coupon: 'SUMMER' } })).status).toBe(201);

    const check = await f.ok<{ allowed: boolean; period_start: string }>('POST', '/v1/entitlements/check', { customer_id: sandbox.id, feature: 'exports', consume: 1 });
    expect(check).toMatchObject({ allowed: true, period_start: iso(at(2026, 8, 1)) });
    const read = await f.ok<{ data: { feature: string; period_start?: string; used?: number }[] }>('GET', `/v1/customers/${sandbox.id}/entitlements`);
    expect(read.data.find((e) => e.feature === 'exports')).toMatchObject({ used: 1, period_start: iso(at(2026, 8, 1)) });
  });
});

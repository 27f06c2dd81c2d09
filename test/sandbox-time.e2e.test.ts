import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventType } from '../src/events/catalog.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { SuggestionsResource } from '../src/suggestions/contract.ts';
import type { TestClockResource } from '../src/test-clocks/contract.ts';
import type { UsageBatchResource } from '../src/usage/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';

/**
 * Everything about a sandbox customer happens at its test clock's time: what its verbs write and
 * emit, what the workers reacting to its events write and emit, and what is read for it. The wall
 * clock stands at 2026-06-01; the test clock runs from 2026-01-01 to 2026-02-20, so a wall-clock
 * time anywhere in a sandbox customer's rows or events shows.
 *
 *   Big    5000 EUR/month, no trial, 1,000,000 tokens included (the sandbox customer's plan)
 *   Small  1000 EUR/month, 100,000 included, overage 10 per 1,000
 *   The sandbox customer uses 50,000 tokens in its first period (Jan 1 – Feb 1): Small would have
 *   cost 1000 instead of 5000, a saving of 4000 (8000 bps).
 */
const at = (m: number, d: number) => Date.UTC(2026, m - 1, d);
const iso = (ms: number) => new Date(ms).toISOString();
const WALL = at(6, 1);
const clock = manualClock(WALL);
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
let big: PlanResource;
let small: PlanResource;
let testClock: TestClockResource;
let sandbox: CustomerResource;
let sandboxSub: SubscriptionResource;

const advance = (to: number) => f.ok('POST', `/v1/test-clocks/${testClock.id}/advance`, { frozen_time: iso(to) });
async function eventsOf<T extends EventType>(type: T, subject: string) {
  const res = await p.call<Page<TypedEventResource<T>>>('GET', `/v1/events?type=${type}&subject=${subject}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() } });
  f = billingFixtures(p);
  big = await f.plan({ code: 'big', name: 'Big', price_amount: 5000, trial_days: 0, included_tokens: 1_000_000, overage_price_per_1k: 0, quota_policy: 'overage' });
  small = await f.plan({ code: 'small', name: 'Small', price_amount: 1000, trial_days: 0, included_tokens: 100_000, overage_price_per_1k: 10, quota_policy: 'overage' });
  testClock = await f.ok<TestClockResource>('POST', '/v1/test-clocks', { name: 'sandbox time', frozen_time: iso(at(1, 1)) }, 201);
  sandbox = await f.customer({ payment_method: 'tok_ok', test_clock_id: testClock.id });
  // Onboarded when its clock says: its tenure starts there, not months later on the wall clock.
  expect(sandbox.created_at).toBe(iso(at(1, 1)));
  sandboxSub = await f.subscribe({ customer_id: sandbox.id, plan_id: big.id });
  // Its first invoice was charged as it subscribed, at its clock's time.
  expect(sandboxSub).toMatchObject({ status: 'active', current_period_start: iso(at(1, 1)) });
  await advance(at(1, 15));
});
afterAll(() => p.close());

describe('a sandbox customer', () => {
  test('its usage.recorded events carry the clock time, as their recorded_at does, in a batch with a live customer at the wall time', async () => {
    const live = await f.customer({ payment_method: 'tok_ok' });
    const liveSub = await f.subscribe({ customer_id: live.id, plan_id: big.id });
    const batch = await f.ok<UsageBatchResource>('POST', '/v1/usage', {
      records: [
        { id: 'jan-1', customer_id: sandbox.id, model: 'gpt', tokens: 50_000, occurred_at: iso(at(1, 10)) },
        { id: 'live-1', customer_id: live.id, model: 'gpt', tokens: 10, occurred_at: iso(WALL) },
      ],
    });
    expect(batch.accepted).toBe(2);

    const [simulated] = await eventsOf('usage.recorded', sandboxSub.id);
    expect(simulated!.data.recorded_at).toBe(iso(at(1, 15)));
    expect(simulated!.time).toBe(iso(at(1, 15)));
    const [wall] = await eventsOf('usage.recorded', liveSub.id);
    expect(wall!).toMatchObject({ time: iso(WALL), data: { recorded_at: iso(WALL) } });

    // The dashboard's customer page shows the usage of the period the clock is in.
    const page = await p.app.request(`/admin/customers/${sandbox.id}`, { headers: { Cookie: `admin_session=${await p.tokenFor('viewer')}` } });
    expect(/data-test="usage">([^<]*)</.exec(await page.text())?.[1]).toBe('50,000 of 1,000,000 tokens');
  });

  test('the plan suggestion looks back over the periods ended by the clock time', async () => {
    await advance(at(2, 20));
    const suggestion = await f.ok<SuggestionsResource>('GET', `/v1/customers/${sandbox.id}/suggestions`);
    expect(suggestion).toMatchObject({
      subscription_id: sandboxSub.id,
      periods: [{ period_start: iso(at(1, 1)), period_end: iso(at(2, 1)), used_tokens: 50_000, current_cost: 5000, suggested_cost: 1000, saving: 4000 }],
      suggested_plan: { id: small.id },
      current_cost: 5000,
      saving: 4000,
      saving_bps: 8000,
    });
  });

  test('the workers reacting to its events act at the clock time: the first-payment credit and the renewal suggestion', async () => {
    p.startWorkers(['relay', 'profiling', 'suggestions']);
    const credit = await eventually(async () => (await eventsOf('customer.credit_granted', sandbox.id))[0]);
    // 10 % of the first payment (5000), granted when the profiling worker saw it: the clock stands at Feb 20.
    expect(credit).toMatchObject({ time: iso(at(2, 20)), data: { reason: 'first_payment_bonus', amount: { amount: 500, currency: 'EUR' } } });
    const credits = await f.ok<{ entries: { reason: string; created_at: string }[] }>('GET', `/v1/customers/${sandbox.id}/credits`);
    expect(credits.entries.find((e) => e.reason === 'first_payment_bonus')?.created_at).toBe(iso(at(2, 20)));

    const suggested = await eventually(async () => (await eventsOf('customer.plan_suggested', sandbox.id))[0]);
    expect(suggested).toMatchObject({ time: iso(at(2, 20)), data: { period_start: iso(at(2, 1)), saving: 4000, suggested_plan: { id: small.id } } });
    const profiled = await eventually(async () => (await eventsOf('customer.profiled', sandbox.id))[0]);
    expect(profiled.time).toBe(iso(at(2, 20)));
    await p.stopWorkers();
  });

  test('its people, discount, entitlement overrides and usage thresholds change at the clock time', async () => {
    const feb20 = iso(at(2, 20));
    const timeOf = async (type: EventType, subject: string) => (await eventsOf(type, subject))[0]?.time;
    const user = await f.ok<{ id: string }>('POST', `/v1/customers/${sandbox.id}/users`, { email: 'ops@sandbox.example', name: 'Ops', role: 'admin' }, 201);
    expect(await timeOf('user.invited', sandbox.id)).toBe(feb20);
    await f.ok('PATCH', `/v1/customers/${sandbox.id}/users/${user.id}`, { role: 'member' });
    expect(await timeOf('user.role_changed', sandbox.id)).toBe(feb20);
    await f.ok('DELETE', `/v1/customers/${sandbox.id}/users/${user.id}`);
    expect(await timeOf('user.removed', sandbox.id)).toBe(feb20);

    const threshold = await f.ok<{ id: string }>('POST', `/v1/subscriptions/${sandboxSub.id}/usage-thresholds`, { metric: 'tokens', value: 900_000 }, 201);
    expect(await timeOf('usage_threshold.created', sandboxSub.id)).toBe(feb20);
    await f.ok('DELETE', `/v1/subscriptions/${sandboxSub.id}/usage-thresholds/${threshold.id}`);
    expect(await timeOf('usage_threshold.deleted', sandboxSub.id)).toBe(feb20);

    expect(await f.ok('PUT', `/v1/subscriptions/${sandboxSub.id}/minimum-spend`, { amount: 100 })).toMatchObject({ updated_at: feb20 });
    expect(await timeOf('subscription.minimum_spend_set', sandboxSub.id)).toBe(feb20);

    await f.ok('PUT', `/v1/subscriptions/${sandboxSub.id}/entitlements/sso`, { type: 'boolean' });
    expect(await timeOf('subscription.entitlement_overridden', sandboxSub.id)).toBe(feb20);
    await f.ok('DELETE', `/v1/subscriptions/${sandboxSub.id}/entitlements/sso`);
    expect(await timeOf('subscription.entitlement_override_removed', sandboxSub.id)).toBe(feb20);

    await f.ok('POST', '/v1/coupons', { code: 'SANDBOX10', name: 'Ten off', percent_off_bps: 1000, duration: 'once' }, 201);
    await f.ok('POST', `/v1/subscriptions/${sandboxSub.id}/discount`, { coupon: 'SANDBOX10' }, 201);
    await f.ok('DELETE', `/v1/subscriptions/${sandboxSub.id}/discount`);
    expect(await timeOf('discount.removed', sandboxSub.id)).toBe(feb20);
  });

  test('its own changes (update, promote, deactivate) are made and emitted at the clock time', async () => {
    const updated = await f.ok<CustomerResource>('PATCH', `/v1/customers/${sandbox.id}`, { name: 'Sandbox Renamed GmbH' });
    expect(updated.updated_at).toBe(iso(at(2, 20)));
    expect((await eventsOf('customer.updated', sandbox.id)).find((e) => e.data.changed.includes('name'))?.time).toBe(iso(at(2, 20)));
    await f.ok('POST', `/v1/customers/${sandbox.id}/promote`, {});
    expect((await eventsOf('customer.promoted', sandbox.id))[0]!.time).toBe(iso(at(2, 20)));
    const deactivated = await f.ok<CustomerResource>('POST', `/v1/customers/${sandbox.id}/deactivate`);
    expect(deactivated.updated_at).toBe(iso(at(2, 20)));
    expect((await eventsOf('customer.deactivated', sandbox.id))[0]!.time).toBe(iso(at(2, 20)));
  });
});

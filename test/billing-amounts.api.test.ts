import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { usagePeriods } from '../db/schema/index.ts';
import type { Page } from '../db/paging.ts';
import { runBillingCycle } from '../src/billing/cycle.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { MAX_CHARGE } from '../src/kernel/money.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import type { UsageBatchResource, UsagePeriodResource } from '../src/usage/contract.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

const APRIL_1 = Date.UTC(2026, 3, 1);
const MAY_1 = Date.UTC(2026, 4, 1);
const HOUR_MS = 60 * 60 * 1000;
const clock = manualClock(APRIL_1);
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
/** The largest price a plan takes, and the most tokens one record may carry. */
const TOP_PRICE = 1_000_000_000_000;
const TOP_RECORD = 1_000_000_000;

async function plan(terms: Record<string, unknown>) {
  const res = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `m-${tag()}`, name: 'Metered', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, ...terms } });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A customer paying by card on `planId` from APRIL_1, its first invoice paid: active; the clock is left a day later. */
async function active(planId: string) {
  clock.set(APRIL_1);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: planId } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + DAY_MS);
  await runBillingCycle(p.deps);
  expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${sub.body.id}`)).body.status).toBe('active');
  return { customerId: customer.body.id, subId: sub.body.id };
}

const record = (customerId: string, tokens: number) => ({ id: `rec-${tag()}`, customer_id: customerId, model: 'gpt-test', tokens, occurred_at: iso(APRIL_1 + DAY_MS) });
const post = (records: unknown[]) => p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records } });

async function invoicesOf(subId: string) {
  const res = await p.call<Page<InvoiceResource>>('GET', `/v1/invoices?subscription_id=${subId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function billingFailures(subId: string) {
  const res = await p.call<Page<TypedEventResource<'subscription.billing_failed'>>>('GET', `/v1/events?subject=${subId}&type=subscription.billing_failed&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('huge amounts', () => {
  test('10^13 tokens at 10^12 per 1k: usage past one charge\'s ceiling is refused as it arrives, and the period reads and bills', async () => {
    const { customerId, subId } = await active(await plan({ included_tokens: 0, quota_policy: 'overage', overage_price_per_1k: TOP_PRICE }));

    // 1,000 tokens come to exactly the ceiling: accepted.
    const first = await post([record(customerId, 1000)]);
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ status: 'accepted', overage_tokens: 1000 });

    // Then 10^13 tokens more, in records within the per-record limit: each would pass the ceiling.
    let refused = 0;
    for (let batch = 0; batch < 10; batch++) {
      const res = await post(Array.from({ length: 1000 }, () => record(customerId, TOP_RECORD)));
      expect(res.status).toBe(200);
      expect(new Set(res.body.results.map((r) => `${r.status}:${r.reason}`))).toEqual(new Set(['refused:charge_limit']));
      expect(res.body.results[0]).toMatchObject({ subscription_id: subId, period_start: iso(APRIL_1) });
      refused += res.body.refused;
    }
    expect(refused).toBe(10_000);

    const usage = await p.call<UsagePeriodResource>('GET', `/v1/subscriptions/${subId}/usage`);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({ used_tokens: 1000, overage_tokens: 1000, overage_charge: { amount: MAX_CHARGE, currency: 'EUR' } });

    clock.set(MAY_1 + 60_000);
    const report = await runBillingCycle(p.deps);
    expect(report.errors).toBe(0);
    const cycle = (await invoicesOf(subId)).find((i) => i.billing_reason === 'subscription_cycle');
    expect(cycle!.lines.find((l) => l.kind === 'usage_overage')).toMatchObject({ quantity: 1000, amount: MAX_CHARGE });
    expect(cycle!.total).toBe(MAX_CHARGE + 2900);
  }, 60_000);

  test('a plan change that would reprice the period past the ceiling is refused with 422 naming plan_id', async () => {
    const cheap = await plan({ included_tokens: 0, quota_policy: 'overage', overage_price_per_1k: 1 });
    const { customerId, subId } = await active(cheap);
    expect((await post([record(customerId, TOP_RECORD)])).body.accepted).toBe(1);

    const dear = await plan({ included_tokens: 0, quota_policy: 'overage', overage_price_per_1k: TOP_PRICE });
    const refused = await p.call<Problem>('POST', `/v1/subscriptions/${subId}/change-plan`, { body: { plan_id: dear } });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toStartWith('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'amount_out_of_range', field: 'plan_id', amount: '1000000000000000000', max_amount: MAX_CHARGE });
    expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${subId}`)).body.plan_id).toBe(cheap);

    const fair = await plan({ included_tokens: 0, quota_policy: 'overage', overage_price_per_1k: 1000 });
    expect((await p.call('POST', `/v1/subscriptions/${subId}/change-plan`, { body: { plan_id: fair } })).status).toBe(200);
  });

  test('a subscription whose period cannot be billed is flagged and skipped; the others renew in the same pass', async () => {
    const dear = await plan({ included_tokens: 0, quota_policy: 'overage', overage_price_per_1k: TOP_PRICE });
    const normalPlan = await plan({ included_tokens: 1000, quota_policy: 'overage', overage_price_per_1k: 100 });
    // Created first, so it comes first in the pass's batch.
    const stuck = await active(dear);
    const normal = await active(normalPlan);
    expect((await post([record(normal.customerId, 3000)])).body.accepted).toBe(1);
    // April of `stuck` holds 10^13 overage tokens, as recorded before usage was bounded by the ceiling.
    await p.deps.db.insert(usagePeriods).values({ subscriptionId: stuck.subId, periodStart: APRIL_1, usedTokens: 1e13, overageTokens: 1e13, quotaExceeded: true, updatedAt: APRIL_1 + DAY_MS });

    const read = await p.call<Problem>('GET', `/v1/subscriptions/${stuck.subId}/usage`);
    expect(read.status).toBe(422);
    expect(read.body).toMatchObject({ code: 'amount_out_of_range', amount: '10000000000000000000000', max_amount: MAX_CHARGE });

    const passAt = MAY_1 + 60_000;
    clock.set(passAt);
    const report = await runBillingCycle(p.deps);
    expect(report.errors).toBe(1);

    const renewed = (await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${normal.subId}`)).body;
    expect(renewed).toMatchObject({ current_period_start: iso(MAY_1), billing_error: null });
    const cycle = (await invoicesOf(normal.subId)).find((i) => i.billing_reason === 'subscription_cycle');
    expect(cycle!.lines.find((l) => l.kind === 'usage_overage')).toMatchObject({ quantity: 2000, amount: 200 });

    const flagged = (await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${stuck.subId}`)).body;
    expect(flagged.current_period_start).toBe(iso(APRIL_1));
    expect(flagged.billing_error).toMatchObject({ code: 'amount_out_of_range', failed_at: iso(passAt), retry_at: iso(passAt + HOUR_MS) });
    expect(flagged.billing_error!.message).toContain('at most 1000000000000');
    expect(await invoicesOf(stuck.subId)).toHaveLength(1); // only its first, April's fee
    const told = await billingFailures(stuck.subId);
    expect(told).toHaveLength(1);
    expect(told[0]!.data).toMatchObject({ error: { code: 'amount_out_of_range' }, retry_at: iso(passAt + HOUR_MS) });

    // Until its retry time the passes leave it alone; then they try again and tell no one twice.
    clock.set(passAt + 60_000);
    expect((await runBillingCycle(p.deps)).errors).toBe(0);
    clock.set(passAt + HOUR_MS);
    expect((await runBillingCycle(p.deps)).errors).toBe(1);
    expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${stuck.subId}`)).body.billing_error).toMatchObject({ failed_at: iso(passAt), retry_at: iso(passAt + 2 * HOUR_MS) });
    expect(await billingFailures(stuck.subId)).toHaveLength(1);

    // An operator ends it; billing stops trying.
    expect((await p.call('POST', `/v1/subscriptions/${stuck.subId}/cancel`, { body: {} })).status).toBe(200);
    clock.set(passAt + 3 * HOUR_MS);
    expect((await runBillingCycle(p.deps)).errors).toBe(0);
  }, 60_000);
});

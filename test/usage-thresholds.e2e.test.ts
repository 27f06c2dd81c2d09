import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { notifications } from '../db/schema/index.ts';
import type { Page } from '../db/paging.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { Problem } from '../src/http/problem.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import type { MinimumSpendResource, UsageThresholdResource } from '../src/usage-thresholds/contract.ts';
import type { UsageBatchResource } from '../src/usage/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';

/**
 * Usage alerts, progressive billing and minimum spend through the API and the billing
 * pass on a manual clock, on a real libSQL file. Monthly plans without a trial, so a
 * subscription made on the 1st has periods from the 1st; its first invoice (the fee) is
 * drafted at once and paid by the first pass. Every figure is computed by hand below.
 */
const at = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day);
const iso = (ms: number) => new Date(ms).toISOString();
const clock = manualClock(at(2026, 1, 1));
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() } });
  f = billingFixtures(p);
});
afterAll(() => p.close());

/** A customer paying by card, subscribed at `start` to a fresh plan; the first pass pays the fee. */
async function subscribedAt(start: number, plan: Record<string, unknown> = {}, customer: Record<string, unknown> = {}) {
  clock.set(start);
  const terms = await f.plan({ price_amount: 2900, trial_days: 0, included_tokens: 100_000, overage_price_per_1k: 200, ...plan });
  const owner = await f.customer({ payment_method: 'tok_ok', ...customer });
  const sub = await f.subscribe({ customer_id: owner.id, plan_id: terms.id });
  await f.cycle();
  expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active' });
  return { sub, customer: owner };
}

let seq = 0;
/** Posts one usage record of `tokens` at the clock's now. */
async function use(customerId: string, tokens: number) {
  const batch = await f.ok<UsageBatchResource>('POST', '/v1/usage', { records: [{ id: `rec-${++seq}`, customer_id: customerId, model: 'gpt-test', tokens, occurred_at: iso(clock.now()) }] });
  expect(batch.accepted).toBe(1);
}

const reached = async (subscriptionId: string) => (await f.eventTypes('usage.threshold_reached')).filter((e) => e.subject === subscriptionId);
const invoicesOf = (subscriptionId: string) => f.invoices(`subscription_id=${subscriptionId}`);

describe('usage thresholds', () => {
  test('a token threshold fires once per period: crossing it twice is one event; the next period fires again', async () => {
    const { sub, customer } = await subscribedAt(at(2026, 1, 1));
    const threshold = await f.ok<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'tokens', value: 50_000 }, 201);
    expect(threshold).toMatchObject({ object: 'usage_threshold', subscription_id: sub.id, metric: 'tokens', value: 50_000, invoice_early: false, deleted_at: null });

    clock.set(at(2026, 1, 3));
    await use(customer.id, 30_000);
    expect(await reached(sub.id)).toHaveLength(0);
    await use(customer.id, 30_000); // 60,000: past 50,000
    await use(customer.id, 30_000); // 90,000: still past, no second event
    clock.set(at(2026, 1, 20));
    await use(customer.id, 30_000);

    const events = await reached(sub.id);
    expect(events.map((e) => e.data)).toEqual([
      {
        threshold: { id: threshold.id, subscription_id: sub.id, metric: 'tokens', value: 50_000, invoice_early: false },
        subscription_id: sub.id,
        customer_id: customer.id,
        value_reached: 60_000,
        currency: 'EUR',
        period_start: iso(at(2026, 1, 1)),
        period_end: iso(at(2026, 2, 1)),
      },
    ]);

    // February is a new period: the same threshold fires again, once.
    await f.cycle();
    clock.set(at(2026, 2, 2));
    await f.cycle();
    await use(customer.id, 70_000);
    await use(customer.id, 1);
    const both = await reached(sub.id);
    expect(both.map((e) => [e.data.period_start, e.data.value_reached])).toEqual([
      [iso(at(2026, 1, 1)), 60_000],
      [iso(at(2026, 2, 1)), 70_000],
    ]);
    // A threshold with no invoice_early invoices nothing early.
    expect((await invoicesOf(sub.id)).map((i) => i.billing_reason)).toEqual(['subscription_create', 'subscription_cycle']);

    // Listed, deleted, and then silent.
    const listed = await f.ok<Page<UsageThresholdResource>>('GET', `/v1/subscriptions/${sub.id}/usage-thresholds`);
    expect(listed.data.map((t) => t.id)).toEqual([threshold.id]);
    const deleted = await f.ok<UsageThresholdResource>('DELETE', `/v1/subscriptions/${sub.id}/usage-thresholds/${threshold.id}`);
    expect(deleted.deleted_at).toBe(iso(at(2026, 2, 2)));
    expect((await f.ok<Page<UsageThresholdResource>>('GET', `/v1/subscriptions/${sub.id}/usage-thresholds`)).data).toEqual([]);
    expect((await p.call('DELETE', `/v1/subscriptions/${sub.id}/usage-thresholds/${threshold.id}`)).status).toBe(404);
    expect((await f.eventsOf(sub.id)).map((e) => e.type)).toContain('usage_threshold.deleted');
    const audit = await f.ok<Page<{ action: string; data: Record<string, unknown> }>>('GET', `/v1/audit?target_id=${sub.id}&limit=100`);
    const actions = audit.data.map((a) => a.action).filter((a) => a.startsWith('usage_threshold.'));
    expect(actions.sort()).toEqual(['usage_threshold.create', 'usage_threshold.delete']);
  });

  test('an amount threshold measures fee + overage charge so far, in minor units', async () => {
    // 29.00 EUR fee; 100,000 tokens included; 2.00 EUR per 1,000 over.
    const { sub, customer } = await subscribedAt(at(2026, 4, 1));
    await f.ok('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'amount', value: 3000 }, 201);
    clock.set(at(2026, 4, 5));
    await use(customer.id, 100_400); // 400 over: 2900 + round(400 × 200 / 1000) = 2980 < 3000
    expect(await reached(sub.id)).toHaveLength(0);
    await use(customer.id, 100); // 500 over: 2900 + 100 = 3000
    const [event] = await reached(sub.id);
    expect(event!.data).toMatchObject({ threshold: { metric: 'amount', value: 3000 }, value_reached: 3000, currency: 'EUR', period_start: iso(at(2026, 4, 1)) });

    // The notifications worker tells the customer, in its currency's formatting.
    p.startWorkers(['relay', 'notifications']);
    const [note] = await eventually(async () => {
      const list = await p.deps.db.select().from(notifications).where(and(eq(notifications.customerId, customer.id), eq(notifications.template, 'usage_threshold_reached')));
      return list.length > 0 ? list : null;
    });
    await p.stopWorkers();
    expect(note!.subject).toBe('Usage alert: 30.00 EUR reached');
    expect(note!.body).toContain(`your subscription ${sub.id} reached 30.00 EUR in the period from 2026-04-01 to 2026-05-01`);
  });

  test('a body that is not a threshold is a 400 naming each field; a retried POST sets one threshold', async () => {
    const { sub } = await subscribedAt(at(2026, 4, 1));
    const res = await p.call<Problem>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { body: { metric: 'bytes', value: 0 } });
    expect(res.status).toBe(400);
    expect(res.body.errors!.map((e) => e.field).sort()).toEqual(['metric', 'value']);
    const spend = await p.call<Problem>('PUT', `/v1/subscriptions/${sub.id}/minimum-spend`, { body: { amount: 12.5 } });
    expect(spend.status).toBe(400);
    expect(spend.body.errors!.map((e) => e.field)).toEqual(['amount']);

    // A retried POST with the same Idempotency-Key answers the first threshold again and sets no second one.
    const headers = { 'Idempotency-Key': `th-${sub.id}` };
    const body = { metric: 'tokens', value: 1000 };
    const once = await p.call<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { body, headers });
    const again = await p.call<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { body, headers });
    expect([once.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(once.body.id);
    expect((await f.ok<Page<UsageThresholdResource>>('GET', `/v1/subscriptions/${sub.id}/usage-thresholds`)).data).toHaveLength(1);
  });
});

describe('progressive billing', () => {
  test('two early invoices and the period-end invoice sum exactly to the one-invoice overage', async () => {
    /*
     * 3.33 EUR per 1,000 tokens over 100,000 included: the price makes every slice round.
     *   Jun 5   150,500 used, 50,500 over: round(50,500 × 333 / 1000 = 16,816.5)   = 16,817  → early #1 16,817
     *   Jun 10  251,000 used, 151,000 over: round(151,000 × 333 / 1000 = 50,283)   = 50,283  → early #2 50,283 − 16,817 = 33,466
     *   Jun 20  252,500 used, 152,500 over: round(152,500 × 333 / 1000 = 50,782.5) = 50,783
     *   Jul 1   period end: July's fee 2,900 + overage 50,783 − 50,283 = 500      → 3,400
     *   One invoice would have billed round(152,500 × 0.333) = 50,783 = 16,817 + 33,466 + 500.
     *   (Rounding each slice on its own would give 16,817 + 33,467 + 500 = 50,784: one too many.)
     */
    const { sub, customer } = await subscribedAt(at(2026, 6, 1), { overage_price_per_1k: 333 });
    const first = await f.ok<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'tokens', value: 150_000, invoice_early: true }, 201);
    const second = await f.ok<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'tokens', value: 250_000, invoice_early: true }, 201);

    clock.set(at(2026, 6, 5));
    await use(customer.id, 150_500);
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 1, errors: 0 });
    clock.set(at(2026, 6, 10));
    await use(customer.id, 100_500);
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 1, errors: 0 });
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 0 });
    clock.set(at(2026, 6, 20));
    await use(customer.id, 1_500);
    clock.set(at(2026, 7, 1));
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 0, errors: 0 });

    const [create, early1, early2, cycle] = await invoicesOf(sub.id);
    expect(create!.billing_reason).toBe('subscription_create');
    const june = { period_start: iso(at(2026, 6, 1)), period_end: iso(at(2026, 7, 1)) };
    expect(early1).toMatchObject({ billing_reason: 'threshold', status: 'paid', ...june, subtotal: 16_817, total: 16_817, amount_paid: 16_817 });
    expect(early1!.lines.map((l) => [l.kind, l.quantity, l.amount])).toEqual([['usage_overage', 50_500, 16_817]]);
    expect(early2).toMatchObject({ billing_reason: 'threshold', status: 'paid', ...june, subtotal: 33_466, amount_paid: 33_466 });
    expect(early2!.lines.map((l) => [l.kind, l.quantity, l.amount])).toEqual([['usage_overage', 100_500, 33_466]]);
    expect(cycle).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid', subtotal: 3_400, amount_paid: 3_400 });
    expect(cycle!.lines.map((l) => [l.kind, l.quantity, l.amount])).toEqual([
      ['subscription_fee', 1, 2900],
      ['usage_overage', 1_500, 500],
    ]);
    const overage = [early1, early2, cycle].flatMap((i) => i!.lines).filter((l) => l.kind === 'usage_overage');
    expect(overage.reduce((s, l) => s + l.amount, 0)).toBe(50_783);
    expect(overage.reduce((s, l) => s + l.quantity, 0)).toBe(152_500);

    // Each threshold fired once, with the early invoice following it.
    expect((await reached(sub.id)).map((e) => [e.data.threshold.id, e.data.value_reached])).toEqual([
      [first.id, 150_500],
      [second.id, 251_000],
    ]);
    expect((await f.eventTypes('invoice.finalized')).filter((e) => e.subject === early1!.id || e.subject === early2!.id)).toHaveLength(2);
  });

  test('two thresholds reached by one record make one early invoice; a closed period gets none', async () => {
    const { sub, customer } = await subscribedAt(at(2026, 8, 1));
    await f.ok('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'tokens', value: 110_000, invoice_early: true }, 201);
    await f.ok('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'amount', value: 4000, invoice_early: true }, 201);
    clock.set(at(2026, 8, 3));
    await use(customer.id, 120_000); // 20,000 over: 4,000; 2,900 + 4,000 = 6,900 ≥ 4,000
    expect(await reached(sub.id)).toHaveLength(2);
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 1, errors: 0 });
    const early = (await invoicesOf(sub.id)).filter((i) => i.billing_reason === 'threshold');
    expect(early.map((i) => i.total)).toEqual([4000]);

    // Reached late in August, but the pass runs only after the period ended: the period-end invoice bills it all.
    clock.set(at(2026, 8, 30));
    await f.ok('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'tokens', value: 121_000, invoice_early: true }, 201);
    await use(customer.id, 1_000); // 121,000 used, 21,000 over: round(21,000 × 200 / 1000) = 4,200 → 200 left
    expect(await reached(sub.id)).toHaveLength(3);
    clock.set(at(2026, 9, 1) + DAY_MS);
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 0, errors: 0 });
    expect(await f.cycle()).toMatchObject({ invoicedEarly: 0, errors: 0 });
    const all = await invoicesOf(sub.id);
    expect(all.filter((i) => i.billing_reason === 'threshold')).toHaveLength(1);
    expect(all.at(-1)!.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['subscription_fee', 2900],
      ['usage_overage', 200],
    ]);
  });
});

describe('minimum spend', () => {
  test('a period under the minimum gets a true-up line to the minor unit; none when above', async () => {
    /*
     * 29.00 EUR fee, 2.00 EUR per 1,000 over 100,000; minimum 50.00 EUR; tax 19 %.
     *   Oct: 101,000 used → overage 200; spend 2,900 + 200 = 3,100 → true-up 1,900
     *        Nov 1 invoice: Nov fee 2,900 + Oct overage 200 + true-up 1,900 = 5,000, tax 950 → 5,950
     *   Nov: 110,600 used → overage 2,120; spend 5,020 ≥ 5,000 → no true-up
     *        Dec 1 invoice: 2,900 + 2,120 = 5,020, tax round(953.8) = 954 → 5,974
     */
    const { sub, customer } = await subscribedAt(at(2026, 10, 1), {}, { tax_rate_bps: 1900 });
    expect((await f.ok<MinimumSpendResource>('GET', `/v1/subscriptions/${sub.id}/minimum-spend`)).amount).toEqual({ amount: 0, currency: 'EUR' });
    const spend = await f.ok<MinimumSpendResource>('PUT', `/v1/subscriptions/${sub.id}/minimum-spend`, { amount: 5000 });
    expect(spend).toMatchObject({ object: 'minimum_spend', subscription_id: sub.id, amount: { amount: 5000, currency: 'EUR' } });
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}/minimum-spend`)).toEqual(spend);

    clock.set(at(2026, 10, 10));
    await use(customer.id, 101_000);
    clock.set(at(2026, 11, 1));
    await f.cycle();
    clock.set(at(2026, 11, 10));
    await use(customer.id, 110_600);
    clock.set(at(2026, 12, 1));
    await f.cycle();

    const [, november, december] = await invoicesOf(sub.id);
    expect(november!.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['subscription_fee', 2900],
      ['usage_overage', 200],
      ['minimum_spend_true_up', 1900],
    ]);
    expect(november!.lines[2]).toMatchObject({ period_start: iso(at(2026, 10, 1)), period_end: iso(at(2026, 11, 1)) });
    expect(november).toMatchObject({ subtotal: 5000, tax: 950, total: 5950, status: 'paid' });
    expect(december!.lines.map((l) => l.kind)).toEqual(['subscription_fee', 'usage_overage']);
    expect(december).toMatchObject({ subtotal: 5020, tax: 954, total: 5974 });

    // 0 clears it: December's period is billed without a true-up even far below the old minimum.
    await f.ok('PUT', `/v1/subscriptions/${sub.id}/minimum-spend`, { amount: 0 });
    clock.set(at(2027, 1, 1));
    await f.cycle();
    expect((await invoicesOf(sub.id)).at(-1)!.lines.map((l) => l.kind)).toEqual(['subscription_fee']);
    expect((await f.eventsOf(sub.id)).filter((e) => e.type === 'subscription.minimum_spend_set').map((e) => (e.data as { minimum_spend: { amount: number } }).minimum_spend.amount)).toEqual([5000, 0]);
  });
});

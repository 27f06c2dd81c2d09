import { afterAll, beforeAll, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import type { Page } from '../db/paging.ts';
import { notifications } from '../db/schema/index.ts';
import type { NotificationEntry } from '../src/customers/contract.ts';
import type { KnownEvent } from '../src/events/catalog.ts';
import { withTransaction } from '../src/kernel/context.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { suggestionsHandler } from '../src/suggestions/consumer.ts';
import type { SuggestionsResource } from '../src/suggestions/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';

/**
 * Three months of one customer on Lite, renewed by the billing pass on a manual clock, with the
 * real relay, notifications and suggestions workers. Every figure is computed by hand (EUR cents):
 *
 *   Lite (current)  2900/month, 100,000 included, overage 150 per 1,000
 *   Pro             9900/month, 1,000,000 included, overage 100 per 1,000
 *   Mid             5000/month, 200,000 included, block
 *   Tiny             900/month, 50,000 included, block
 *   not candidates: Cheap-USD (other currency), Yearly (other interval), Old (archived)
 *
 *   period  used        Lite                                   Pro                                  Mid     Tiny
 *   Jan        90,000   2900                                   9900                                 5000    —
 *   Feb       600,000   2900 + 500,000 × 0.15 = 77900          9900                                 —       —
 *   Mar     1,200,005   2900 + round(165000.75) = 167901       9900 + round(20000.5) = 29901        —       —
 *
 *   Feb 1 renewal, Jan only:    Lite 2900 is the cheapest   → no suggestion
 *   Mar 1 renewal, Jan–Feb:     Lite 80800, Pro 19800 (Mid cannot serve Feb)
 *                               saving 61000 = round(7549.50 bps) = 7550 bps ≥ 1000 → suggested
 *   Apr 1 renewal, Jan–Mar:     Lite 248701, Pro 49701, saving 199000 = round(8001.58) = 8002 bps → suggested
 */
const at = (month: number, day: number) => Date.UTC(2026, month - 1, day);
const iso = (ms: number) => new Date(ms).toISOString();
const clock = manualClock(at(1, 1));
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
  f = billingFixtures(p);
  p.startWorkers(['relay', 'notifications', 'customer-notifications', 'suggestions']);
});
afterAll(() => p.close());

async function moveTo(ms: number) {
  clock.set(ms);
  return f.cycle();
}

test('after each renewal the cheapest plan over the last three periods is suggested, once per period, and the owner is emailed', async () => {
  const lite = await f.plan({ code: 'lite', name: 'Lite', price_amount: 2900, included_tokens: 100_000, overage_price_per_1k: 150, quota_policy: 'overage' });
  const pro = await f.plan({ code: 'pro', name: 'Pro', price_amount: 9900, included_tokens: 1_000_000, overage_price_per_1k: 100, quota_policy: 'overage' });
  await f.plan({ code: 'mid', name: 'Mid', price_amount: 5000, included_tokens: 200_000, overage_price_per_1k: 0, quota_policy: 'block' });
  await f.plan({ code: 'tiny', name: 'Tiny', price_amount: 900, included_tokens: 50_000, overage_price_per_1k: 0, quota_policy: 'block' });
  await f.plan({ code: 'cheap-usd', name: 'Cheap USD', currency: 'USD', price_amount: 100, included_tokens: 10_000_000 });
  await f.plan({ code: 'yearly', name: 'Yearly', interval: 'year', price_amount: 1000, included_tokens: 10_000_000 });
  const old = await f.plan({ code: 'old', name: 'Old', price_amount: 100, included_tokens: 10_000_000 });
  await f.ok('POST', `/v1/plans/${old.id}/archive`);

  const customer = await f.customer({ name: 'Thrifty GmbH', payment_method: 'tok_ok' });
  const sub = await f.subscribe({ customer_id: customer.id, plan_id: lite.id });
  await f.cycle();

  const use = async (id: string, tokens: number, month: number) => {
    clock.set(at(month, 20));
    const res = await f.ok<{ results: { status: string }[] }>('POST', '/v1/usage', { records: [{ id, customer_id: customer.id, model: 'gpt-x', tokens, occurred_at: iso(at(month, 15)) }] });
    expect(res.results[0]!.status).toBe('accepted');
  };

  // Before any period has ended there is nothing to compare.
  expect(await f.ok<SuggestionsResource>('GET', `/v1/customers/${customer.id}/suggestions`)).toMatchObject({ subscription_id: sub.id, periods: [], suggested_plan: null, saving: 0 });

  await use('jan', 90_000, 1);
  await moveTo(at(2, 1));
  await use('feb', 600_000, 2);
  await moveTo(at(3, 1));
  await use('mar', 1_200_005, 3);
  await moveTo(at(4, 1));

  const events = await eventually(async () => {
    const list = await f.eventTypes('customer.plan_suggested');
    return list.length === 2 ? list : null;
  });
  expect(events.map((e) => e.data).sort((x, y) => (x.period_start < y.period_start ? -1 : 1))).toEqual([
    { customer_id: customer.id, subscription_id: sub.id, period_start: iso(at(3, 1)), current_plan: { id: lite.id, code: 'lite', name: 'Lite', version: 1 }, suggested_plan: { id: pro.id, code: 'pro', name: 'Pro', version: 1 }, currency: 'EUR', periods: 2, current_cost: 80800, suggested_cost: 19800, saving: 61000, saving_bps: 7550 },
    { customer_id: customer.id, subscription_id: sub.id, period_start: iso(at(4, 1)), current_plan: { id: lite.id, code: 'lite', name: 'Lite', version: 1 }, suggested_plan: { id: pro.id, code: 'pro', name: 'Pro', version: 1 }, currency: 'EUR', periods: 3, current_cost: 248701, suggested_cost: 49701, saving: 199000, saving_bps: 8002 },
  ]);

  // The route shows the same figures, per period.
  clock.set(at(4, 2));
  const suggestion = await f.ok<SuggestionsResource>('GET', `/v1/customers/${customer.id}/suggestions`);
  expect(suggestion).toEqual({
    object: 'plan_suggestions',
    customer_id: customer.id,
    subscription_id: sub.id,
    current_plan: { id: lite.id, code: 'lite', name: 'Lite', version: 1 },
    currency: 'EUR',
    periods: [
      { period_start: iso(at(1, 1)), period_end: iso(at(2, 1)), used_tokens: 90_000, current_cost: 2900, suggested_cost: 9900, saving: -7000 },
      { period_start: iso(at(2, 1)), period_end: iso(at(3, 1)), used_tokens: 600_000, current_cost: 77900, suggested_cost: 9900, saving: 68000 },
      { period_start: iso(at(3, 1)), period_end: iso(at(4, 1)), used_tokens: 1_200_005, current_cost: 167901, suggested_cost: 29901, saving: 138000 },
    ],
    suggested_plan: { id: pro.id, code: 'pro', name: 'Pro', version: 1 },
    current_cost: 248701,
    suggested_cost: 49701,
    saving: 199000,
    saving_bps: 8002,
  });

  // The owner is told each time, by email, with the saving.
  const [owner] = (await f.ok<Page<{ email: string; role: string }>>('GET', `/v1/customers/${customer.id}/users`)).data.filter((u) => u.role === 'owner');
  const mails = await eventually(async () => {
    const rows = await p.deps.db.select().from(notifications).where(and(eq(notifications.customerId, customer.id), eq(notifications.template, 'plan_suggested')));
    return rows.length === 2 && rows.every((r) => r.status === 'sent') ? rows : null;
  });
  const april = mails.find((m) => m.subject?.includes('1990.00 EUR'))!;
  expect(april).toMatchObject({ channel: 'email', recipient: owner!.email, subject: 'Pro would have saved you 1990.00 EUR' });
  expect(april.body).toContain('over your last 3 billing periods, your usage on Lite cost 2487.01 EUR. On Pro (pro) the same usage would have cost 497.01 EUR: a saving of 1990.00 EUR (80.02 %).');
  const history = await eventually(async () => {
    const list = (await f.ok<Page<NotificationEntry>>('GET', `/v1/customers/${customer.id}/notifications?limit=100`)).data.filter((n) => n.template === 'plan_suggested');
    return list.length === 2 ? list : null;
  });
  expect(history.map((n) => n.status)).toEqual(['sent', 'sent']);

  // A redelivered renewal (past the inbox, straight to the handler) suggests nothing twice.
  const finalized = (await f.eventTypes('invoice.finalized')).find((e) => e.data.invoice.billing_reason === 'subscription_cycle' && e.data.invoice.period_start === iso(at(4, 1)))!;
  await withTransaction(p.ctx(), (ctx) => suggestionsHandler.handle(ctx, finalized as unknown as KnownEvent));
  expect(await f.eventTypes('customer.plan_suggested')).toHaveLength(2);
});

test('a customer without a live subscription gets no suggestion; an unknown customer is 404', async () => {
  const lonely = await f.customer({ name: 'No Sub' });
  expect(await f.ok<SuggestionsResource>('GET', `/v1/customers/${lonely.id}/suggestions`)).toMatchObject({ subscription_id: null, periods: [], suggested_plan: null, saving: 0 });
  expect((await p.call('GET', '/v1/customers/cus_00000000000000000000000000/suggestions')).status).toBe(404);
});

test('a customer billed in another currency than its plan\'s default is compared in its own currency, among plans priced in it', async () => {
  // Global: USD 49.00 by default, EUR 45.00 with 100,000 included and 1.50 per 1,000 over. Big: USD 99.00, EUR 90.00, 1,000,000 included.
  // June, 600,000 tokens in EUR: Global 4500 + 500,000 × 150 / 1000 = 79,500; Big 9,000 (Pro 9,900, Lite 77,900; Cheap USD has no EUR price).
  const global = await f.plan({ code: 'global', name: 'Global', currency: 'USD', price_amount: 4900, included_tokens: 100_000, overage_price_per_1k: 200, prices: { EUR: { price_amount: 4500, overage_price_per_1k: 150 } } });
  const big = await f.plan({ code: 'big', name: 'Big', currency: 'USD', price_amount: 9900, included_tokens: 1_000_000, overage_price_per_1k: 100, prices: { EUR: { price_amount: 9000, overage_price_per_1k: 90 } } });
  clock.set(at(6, 1));
  const customer = await f.customer({ name: 'Euro SARL', payment_method: 'tok_ok' });
  await f.subscribe({ customer_id: customer.id, plan_id: global.id, currency: 'EUR' });
  await f.cycle();
  clock.set(at(6, 20));
  await f.ok('POST', '/v1/usage', { records: [{ id: 'jun', customer_id: customer.id, model: 'gpt-x', tokens: 600_000, occurred_at: iso(at(6, 15)) }] });
  await moveTo(at(7, 1));
  const suggestion = await f.ok<SuggestionsResource>('GET', `/v1/customers/${customer.id}/suggestions`);
  expect(suggestion).toMatchObject({ currency: 'EUR', suggested_plan: { id: big.id }, current_cost: 79_500, suggested_cost: 9_000, saving: 70_500 });
});

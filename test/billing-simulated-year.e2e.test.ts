import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { TestClockResource } from '../src/test-clocks/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * A simulated year: one sandbox customer on a test clock, with a coupon, a wallet on auto top-up,
 * a usage alert and a plan change, run through the API for thirteen renewals. Every invoice is
 * checked to the minor unit against the figures worked out below (19 % tax, EUR, half-up rounding).
 *
 *   Basic 49.00/month, 100,000 tokens included, 1.50 per 1,000 over; Pro 99.00/month, 500,000
 *   included, 1.00 per 1,000 over. Coupon YEAR20: 20 % off for 3 periods. Wallet: auto top-up of
 *   100.00 whenever the balance falls under 30.00 (the first one when the setting is saved).
 *   Usage alert at 150,000 tokens a period. Usage: Jan 120,000, Feb 210,000, Mar 50,000,
 *   Jul 600,000. Plan change Basic → Pro on Mar 16 (16 of March's 31 days left).
 *
 *   Jan 1  fee 4,900, discount −980 (20 % of 4,900)               = 3,920, tax 744.8 → 745, total 4,665;
 *          the wallet (10,000) pays all of it: 5,335 left, no charge
 *   Feb 1  fee 4,900, Jan overage 20,000 × 150 / 1000 = 3,000, discount −1,580 (20 % of 7,900)
 *                                                                 = 6,320, tax 1,200.8 → 1,201, total 7,521;
 *          the wallet pays 5,335, the card 2,186; the balance is 0 < 3,000: a top-up of 10,000
 *   Mar 1  fee 4,900, Feb overage 110,000 × 150 / 1000 = 16,500, discount −4,280 (20 % of 21,400; its last period)
 *                                                                 = 17,120, tax 3,252.8 → 3,253, total 20,373;
 *          the wallet pays 10,000, the card 10,373; top-up
 *   Apr 1  Pro fee 9,900, proration credit −round(4,900 × 16/31) = −2,529 (2,529.03),
 *          charge +round(9,900 × 16/31) = 5,110 (5,109.68), March's 50,000 tokens are within Pro's
 *                                                                 = 12,481, tax 2,371.39 → 2,371, total 14,852;
 *          the wallet pays 10,000, the card 4,852; top-up
 *   May 1 … Jan 1 2027  fee 9,900, tax 1,881, total 11,781: wallet 10,000, card 1,781, top-up; except
 *   Aug 1  Jul overage 100,000 × 100 / 1000 = 10,000 more       = 19,900, tax 3,781, total 23,681: card 13,681
 *
 *   Top-ups are 10,000 with no tax, paid by the card through the saga. The alert fires once in
 *   February's period (200,000 then 210,000) and once in July's, never in the others.
 */
const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);
const clock = manualClock(at(2026, 11, 30)); // the wall clock: far from the simulated year
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() } });
  f = billingFixtures(p);
});
afterAll(() => p.close());

type Row = [reason: string, periodStart: string, lines: [string, number][], subtotal: number, tax: number, total: number, wallet: number, due: number, status: string];
const TOP_UP = (on: string): Row => ['wallet_top_up', on, [['wallet_top_up', 10_000]], 10_000, 0, 10_000, 0, 10_000, 'paid'];
const PRO_MONTH = (on: string): Row => ['subscription_cycle', on, [['subscription_fee', 9_900]], 9_900, 1_881, 11_781, 10_000, 1_781, 'paid'];

test('a simulated year on a test clock: coupon, wallet with auto top-up, usage alert and a plan change, every invoice to the minor unit', async () => {
  const testClock = await f.ok<TestClockResource>('POST', '/v1/test-clocks', { name: 'pricing year', frozen_time: iso(at(2025, 12, 31)) }, 201);
  const advance = (to: number) => f.ok('POST', `/v1/test-clocks/${testClock.id}/advance`, { frozen_time: iso(to) });
  const basic = await f.plan({ name: 'Basic', price_amount: 4_900, included_tokens: 100_000, overage_price_per_1k: 150 });
  const pro = await f.plan({ name: 'Pro', price_amount: 9_900, included_tokens: 500_000, overage_price_per_1k: 100 });
  await f.ok('POST', '/v1/coupons', { code: 'YEAR20', name: '20 % for three months', percent_off_bps: 2_000, duration: 'repeating', duration_periods: 3 }, 201);
  const customer = await f.customer({ payment_method: 'tok_ok', tax_rate_bps: 1_900, test_clock_id: testClock.id });

  // The wallet first: saving the setting with an empty wallet opens a top-up, which the clock's billing pass collects.
  await f.ok('PUT', `/v1/customers/${customer.id}/wallet/auto-top-up`, { enabled: true, threshold: 3_000, amount: 10_000, currency: 'EUR' });
  await advance(at(2026, 1, 1));
  expect(await f.ok('GET', `/v1/customers/${customer.id}/wallet`)).toMatchObject({ balances: [{ currency: 'EUR', balance: 10_000 }] });

  const sub = await f.subscribe({ customer_id: customer.id, plan_id: basic.id, coupon: 'YEAR20' });
  expect(sub).toMatchObject({ current_period_start: iso(at(2026, 1, 1)), currency: 'EUR' });
  await f.ok('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'tokens', value: 150_000 }, 201);

  const usage = async (on: number, tokens: number, id: string) => {
    await advance(on);
    const res = await f.ok<{ results: { status: string }[] }>('POST', '/v1/usage', { records: [{ id, customer_id: customer.id, model: 'gpt-x', tokens, occurred_at: iso(on) }] });
    expect(res.results.map((r) => r.status)).toEqual(['accepted']);
  };
  await usage(at(2026, 1, 10), 120_000, 'jan');
  await usage(at(2026, 2, 10), 200_000, 'feb-1');
  await usage(at(2026, 2, 20), 10_000, 'feb-2');
  await usage(at(2026, 3, 10), 50_000, 'mar');
  await advance(at(2026, 3, 16));
  const changed = await f.ok<SubscriptionResource>('POST', `/v1/subscriptions/${sub.id}/change-plan`, { plan_id: pro.id });
  expect(changed.plan_id).toBe(pro.id);
  await usage(at(2026, 7, 10), 600_000, 'jul');
  await advance(at(2027, 1, 1));

  const invoices: InvoiceResource[] = await f.invoices(`customer_id=${customer.id}`);
  const rows: Row[] = invoices.map((i) => [
    i.billing_reason,
    day(Date.parse(i.period_start)),
    i.lines.map((l) => [l.kind, l.amount] as [string, number]),
    i.subtotal,
    i.tax,
    i.total,
    i.wallet_applied,
    i.amount_due,
    i.status,
  ]);
  expect(rows).toEqual([
    TOP_UP('2025-12-31'),
    ['subscription_create', '2026-01-01', [['subscription_fee', 4_900], ['discount', -980]], 3_920, 745, 4_665, 4_665, 0, 'paid'],
    ['subscription_cycle', '2026-02-01', [['subscription_fee', 4_900], ['usage_overage', 3_000], ['discount', -1_580]], 6_320, 1_201, 7_521, 5_335, 2_186, 'paid'],
    TOP_UP('2026-02-01'),
    ['subscription_cycle', '2026-03-01', [['subscription_fee', 4_900], ['usage_overage', 16_500], ['discount', -4_280]], 17_120, 3_253, 20_373, 10_000, 10_373, 'paid'],
    TOP_UP('2026-03-01'),
    ['subscription_cycle', '2026-04-01', [['subscription_fee', 9_900], ['proration_credit', -2_529], ['proration_charge', 5_110]], 12_481, 2_371, 14_852, 10_000, 4_852, 'paid'],
    TOP_UP('2026-04-01'),
    PRO_MONTH('2026-05-01'),
    TOP_UP('2026-05-01'),
    PRO_MONTH('2026-06-01'),
    TOP_UP('2026-06-01'),
    PRO_MONTH('2026-07-01'),
    TOP_UP('2026-07-01'),
    ['subscription_cycle', '2026-08-01', [['subscription_fee', 9_900], ['usage_overage', 10_000]], 19_900, 3_781, 23_681, 10_000, 13_681, 'paid'],
    TOP_UP('2026-08-01'),
    PRO_MONTH('2026-09-01'),
    TOP_UP('2026-09-01'),
    PRO_MONTH('2026-10-01'),
    TOP_UP('2026-10-01'),
    PRO_MONTH('2026-11-01'),
    TOP_UP('2026-11-01'),
    PRO_MONTH('2026-12-01'),
    TOP_UP('2026-12-01'),
    PRO_MONTH('2027-01-01'),
    TOP_UP('2027-01-01'),
  ]);

  // The same events as a live customer's: one alert in February's period and one in July's.
  const alerts = (await f.eventsOf(sub.id)).filter((e) => e.type === 'usage.threshold_reached');
  expect(alerts.map((e) => (e.data as { period_start: string }).period_start).sort()).toEqual([iso(at(2026, 2, 1)), iso(at(2026, 7, 1))]);
  // The discount ran out after its third period; the wallet ends where the last top-up left it.
  expect((await f.eventsOf(sub.id)).filter((e) => e.type === 'discount.ended')).toHaveLength(1);
  expect(await f.ok('GET', `/v1/customers/${customer.id}/wallet`)).toMatchObject({ balances: [{ currency: 'EUR', balance: 10_000 }] });
  // None of it happened on the wall clock: the live billing pass finds nothing of this customer's to do.
  expect(await f.cycle()).toMatchObject({ advanced: 0, finalized: 0, attempted: 0 });
  expect((await f.ok<CustomerResource>('GET', `/v1/customers/${customer.id}`)).test_clock_id).toBe(testClock.id);
}, 120_000);

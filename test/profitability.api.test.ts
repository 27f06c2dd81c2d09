import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { ModelPriceResource } from '../src/profitability/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * A small hand-built month of two customers on two plans, billed by the real billing pass.
 * Every figure below is computed by hand (EUR, minor units; cost_per_1k_micros = millionths
 * of a cent per 1,000 tokens, so a record costs tokens × micros / 10^9 cents):
 *
 *   Model prices  gpt-x  v1 1,000,000 from 2025-12-01, v2 2,500,000 from 2026-01-16 (mid-month)
 *                 small  v1   500,000 from 2025-12-01;  mystery: no price
 *   Plans   Basic 1000/month, 100,000 tokens included, overage 50 per 1,000
 *           Max   5000/month, 3,000,000 included, block
 *   A on Basic (tax 19 %, never counted) from Jan 1, B on Max from Jan 1; C on Basic from Feb 10
 *   whose only invoice is voided (never counted).
 *
 *   A's January usage                                     exact cost
 *     gpt-x 150,000 Jan 10 (v1)  150,000 × 1,000,000 / 10^9 = 150
 *     gpt-x  40,000 Jan 20 (v2)   40,000 × 2,500,000 / 10^9 = 100
 *     small   1,000 Jan 20          1,000 × 500,000 / 10^9 = 0.5
 *     small   1,000 Jan 21                                 = 0.5
 *     mystery 5,000 Jan 25                      unpriced    = 0
 *     cell (A, Basic, Jan) = 251.0 → 251 (per record it would be 150+100+1+1 = 252)
 *     197,000 tokens → 97,000 over → overage 97,000 × 50 / 1000 = 4850 (billed Feb 1, period Jan 1)
 *   B's January usage
 *     gpt-x   800,000 Jan 10 (v1)  = 800
 *     gpt-x 2,000,000 Jan 20 (v2)  = 5000      cell (B, Max, Jan) = 5800
 *
 *   Revenue (lines of open/paid/uncollectible invoices, before tax, month of the line's period_start)
 *     A  Jan: fee 1000 + overage 4850 = 5850   Feb: fee 1000
 *     B  Jan: fee 5000                         Feb: fee 5000
 *
 *   January:  A 5850 − 251 = 5599;  B 5000 − 5800 = −800;  total 10850 − 6051 = 4799
 *     Basic: 1 period, cost 251 ≤ 1000 + 4850        → not flagged
 *     Max:   1 period, cost 5800 > 5000 + 0          → flagged under cost
 *   January–February:  A 6850 − 251 = 6599;  B 10000 − 5800 = 4200;  Feb 6000 − 0 = 6000;
 *     total 16850 − 6051 = 10799.  Max: 2 periods, 5800 ≤ 2 × 5000 → not flagged (average 2900).
 */
const at = (month: number, day: number) => Date.UTC(2026, month - 1, day);
const clock = manualClock(at(1, 1));
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
let basic: PlanResource;
let max: PlanResource;
let a: { id: string };
let b: { id: string };

interface Figures { revenue: number; token_cost: number; margin: number }
interface Report {
  from: string;
  to: string;
  currencies: (Figures & {
    currency: string;
    months: (Figures & { month: string })[];
    customers: (Figures & { customer_id: string; months: (Figures & { month: string })[] })[];
    plans: (Figures & { plan_id: string; code: string; subscription_periods: number; price_amount: number; average_token_cost_per_period: number; average_overage_revenue_per_period: number; under_cost: boolean })[];
    flagged_plans: string[];
    unpriced_models: { model: string; tokens: number }[];
    models: { model: string; tokens: number; revenue: number; token_cost: number; margin: number }[];
  })[];
}

const price = (body: Record<string, unknown>) => f.ok<ModelPriceResource>('POST', '/v1/model-prices', body, 201);
const usage = (customer: string, id: string, model: string, tokens: number, day: number) => ({ id, customer_id: customer, model, tokens, occurred_at: new Date(at(1, day) + 12 * 3_600_000).toISOString() });

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
  f = billingFixtures(p);

  await price({ model: 'gpt-x', currency: 'EUR', cost_per_1k_micros: 1_000_000, effective_from: '2025-12-01T00:00:00Z' });
  await price({ model: 'gpt-x', currency: 'EUR', cost_per_1k_micros: 2_500_000, effective_from: '2026-01-16T00:00:00Z' });
  await price({ model: 'gpt-x', currency: 'USD', cost_per_1k_micros: 9_999_999, effective_from: '2025-12-01T00:00:00Z' });
  await price({ model: 'small', currency: 'EUR', cost_per_1k_micros: 500_000, effective_from: '2025-12-01T00:00:00Z' });

  basic = await f.plan({ code: 'basic', name: 'Basic', price_amount: 1000, included_tokens: 100_000, overage_price_per_1k: 50, quota_policy: 'overage' });
  max = await f.plan({ code: 'max', name: 'Max', price_amount: 5000, included_tokens: 3_000_000, overage_price_per_1k: 0, quota_policy: 'block' });
  a = await f.customer({ name: 'Customer A', tax_rate_bps: 1900, payment_method: 'tok_ok' });
  b = await f.customer({ name: 'Customer B', payment_method: 'tok_ok' });
  await f.subscribe({ customer_id: a.id, plan_id: basic.id });
  await f.subscribe({ customer_id: b.id, plan_id: max.id });
  await f.cycle();

  clock.set(at(1, 31));
  const records = [
    usage(a.id, 'a1', 'gpt-x', 150_000, 10),
    usage(a.id, 'a2', 'gpt-x', 40_000, 20),
    usage(a.id, 'a3', 'small', 1_000, 20),
    usage(a.id, 'a4', 'small', 1_000, 21),
    usage(a.id, 'a5', 'mystery', 5_000, 25),
    usage(b.id, 'b1', 'gpt-x', 800_000, 10),
    usage(b.id, 'b2', 'gpt-x', 2_000_000, 20),
  ];
  const posted = await f.ok<{ results: { status: string }[] }>('POST', '/v1/usage', { records });
  expect(posted.results.map((r) => r.status)).toEqual(records.map(() => 'accepted'));

  clock.set(at(2, 1));
  expect(await f.cycle()).toMatchObject({ advanced: 2, errors: 0 });

  // C's invoice is voided: it never counts.
  clock.set(at(2, 10));
  const c = await f.customer({ name: 'Customer C' });
  await f.subscribe({ customer_id: c.id, plan_id: basic.id });
  const [cInvoice] = await f.invoices(`customer_id=${c.id}`);
  await f.ok('POST', `/v1/invoices/${cInvoice!.id}/void`);
  clock.set(at(2, 20));
});
afterAll(() => p.close());

describe('model prices', () => {
  test('a price is a new version; the list shows the one in force now; the versions stay', async () => {
    const versions = await f.ok<Page<ModelPriceResource>>('GET', '/v1/model-prices/gpt-x');
    expect(versions.data.map((v) => [v.currency, v.version, v.cost_per_1k_micros])).toEqual([
      ['EUR', 1, 1_000_000],
      ['EUR', 2, 2_500_000],
      ['USD', 1, 9_999_999],
    ]);
    const current = await f.ok<Page<ModelPriceResource>>('GET', '/v1/model-prices?currency=EUR');
    expect(current.data.map((v) => [v.model, v.version])).toEqual([
      ['gpt-x', 2],
      ['small', 1],
    ]);
    const paged = await f.ok<Page<ModelPriceResource>>('GET', '/v1/model-prices?limit=2');
    expect(paged.data.map((v) => `${v.model} ${v.currency}`)).toEqual(['gpt-x EUR', 'gpt-x USD']);
    const rest = await f.ok<Page<ModelPriceResource>>('GET', `/v1/model-prices?limit=2&cursor=${encodeURIComponent(paged.next_cursor!)}`);
    expect(rest.data.map((v) => `${v.model} ${v.currency}`)).toEqual(['small EUR']);
    expect((await p.call('GET', '/v1/model-prices/mystery')).status).toBe(404);
  });

  test('admins write, operators read; a fractional cost is a 400 naming the field; the change is an event and audited', async () => {
    const operator = await p.tokenFor('operator');
    const body = { model: 'gpt-x', currency: 'EUR', cost_per_1k_micros: 3_000_000, effective_from: '2026-03-01T00:00:00Z' };
    expect((await p.call('POST', '/v1/model-prices', { body, token: operator })).status).toBe(403);
    expect((await p.call('GET', '/v1/model-prices', { token: operator })).status).toBe(200);
    expect((await p.call('GET', '/v1/model-prices', { token: await p.tokenFor('viewer') })).status).toBe(403);
    const bad = await p.call<Problem>('POST', '/v1/model-prices', { body: { ...body, cost_per_1k_micros: 1.5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field)).toEqual(['cost_per_1k_micros']);

    const created = await p.call<ModelPriceResource>('POST', '/v1/model-prices', { body: { ...body, model: 'later' }, headers: { 'Idempotency-Key': 'price-later-1' } });
    expect(created.status).toBe(201);
    const again = await p.call<ModelPriceResource>('POST', '/v1/model-prices', { body: { ...body, model: 'later' }, headers: { 'Idempotency-Key': 'price-later-1' } });
    expect(again.body.id).toBe(created.body.id);
    const events = await f.eventTypes('model_price.created');
    expect(events.filter((e) => e.subject === created.body.id).map((e) => e.data.model_price)).toEqual([created.body]);
    const audit = await f.ok<Page<{ action: string; target_id: string }>>('GET', `/v1/audit?limit=100`);
    expect(audit.data.filter((e) => e.action === 'model_price.create' && e.target_id === created.body.id)).toHaveLength(1);
    // Not in force yet: the current list still shows nothing for it.
    const current = await f.ok<Page<ModelPriceResource>>('GET', '/v1/model-prices');
    expect(current.data.map((v) => v.model)).not.toContain('later');
  });
});

describe('GET /v1/reports/profitability', () => {
  test('January: margins per customer and plan, ranked; Max flagged under cost; the unpriced model listed', async () => {
    const report = await f.ok<Report>('GET', '/v1/reports/profitability?from=2026-01');
    expect(report.currencies).toHaveLength(1);
    const eur = report.currencies[0]!;
    expect(eur).toMatchObject({ currency: 'EUR', revenue: 10850, token_cost: 6051, margin: 4799 });
    expect(eur.months).toEqual([{ month: '2026-01', revenue: 10850, token_cost: 6051, margin: 4799 }]);
    expect(eur.customers.map(({ customer_id, revenue, token_cost, margin }) => ({ customer_id, revenue, token_cost, margin }))).toEqual([
      { customer_id: a.id, revenue: 5850, token_cost: 251, margin: 5599 },
      { customer_id: b.id, revenue: 5000, token_cost: 5800, margin: -800 },
    ]);
    expect(eur.plans.map(({ plan_id, revenue, token_cost, margin, subscription_periods, price_amount, average_token_cost_per_period, average_overage_revenue_per_period, under_cost }) => ({ plan_id, revenue, token_cost, margin, subscription_periods, price_amount, average_token_cost_per_period, average_overage_revenue_per_period, under_cost }))).toEqual([
      { plan_id: basic.id, revenue: 5850, token_cost: 251, margin: 5599, subscription_periods: 1, price_amount: 1000, average_token_cost_per_period: 251, average_overage_revenue_per_period: 4850, under_cost: false },
      { plan_id: max.id, revenue: 5000, token_cost: 5800, margin: -800, subscription_periods: 1, price_amount: 5000, average_token_cost_per_period: 5800, average_overage_revenue_per_period: 0, under_cost: true },
    ]);
    expect(eur.flagged_plans).toEqual([max.id]);
    expect(eur.unpriced_models).toEqual([{ model: 'mystery', tokens: 5000 }]);
    // Per model: Basic's token terms are one charge on ai_tokens whose overage (4850) is a default-price line,
    // shared by tokens: gpt-x 4850 × 190,000 / 197,000 = 4677.66, small 49.24, mystery 123.10 → floors 4677 + 49 + 123,
    // the unit left to the largest remainder (gpt-x). Max bills no overage. Cost per model, rounded once: gpt-x 250 + 5800, small 1.
    expect(eur.models).toEqual([
      { model: 'mystery', tokens: 5000, revenue: 123, token_cost: 0, margin: 123 },
      { model: 'small', tokens: 2000, revenue: 49, token_cost: 1, margin: 48 },
      { model: 'gpt-x', tokens: 2_990_000, revenue: 4678, token_cost: 6050, margin: -1372 },
    ]);
  });

  test('January–February: per month, the voided invoice left out; over two periods Max covers its cost', async () => {
    const eur = (await f.ok<Report>('GET', '/v1/reports/profitability?from=2026-01&months=2&currency=EUR')).currencies[0]!;
    expect(eur).toMatchObject({ revenue: 16850, token_cost: 6051, margin: 10799 });
    expect(eur.months).toEqual([
      { month: '2026-01', revenue: 10850, token_cost: 6051, margin: 4799 },
      { month: '2026-02', revenue: 6000, token_cost: 0, margin: 6000 },
    ]);
    expect(eur.customers.map((c) => [c.customer_id, c.revenue, c.token_cost, c.margin])).toEqual([
      [a.id, 6850, 251, 6599],
      [b.id, 10000, 5800, 4200],
    ]);
    expect(eur.customers[1]!.months).toEqual([
      { month: '2026-01', revenue: 5000, token_cost: 5800, margin: -800 },
      { month: '2026-02', revenue: 5000, token_cost: 0, margin: 5000 },
    ]);
    expect(eur.plans.find((x) => x.plan_id === max.id)).toMatchObject({ subscription_periods: 2, average_token_cost_per_period: 2900, under_cost: false });
    expect(eur.flagged_plans).toEqual([]);
    // The voided invoice existed: its customer simply has no revenue.
    const invoices = await f.ok<Page<InvoiceResource>>('GET', '/v1/invoices?status=void');
    expect(invoices.data).toHaveLength(1);
  });

  test('per currency, no conversion; a window of 0 or more than 36 months is a 400 naming months', async () => {
    expect((await f.ok<Report>('GET', '/v1/reports/profitability?from=2026-01&months=2&currency=USD')).currencies).toEqual([]);
    for (const months of ['0', '37', '-1', 'two']) {
      const bad = await p.call<Problem>('GET', `/v1/reports/profitability?from=2026-03&months=${months}`);
      expect([months, bad.status, bad.body.errors?.map((e) => e.field)]).toEqual([months, 400, ['months']]);
    }
    expect((await f.ok<Report>('GET', '/v1/reports/profitability?from=2025-11&months=36')).to).toBe('2028-10');
    for (const from of ['2026-13', '0000-01', '1969-12']) {
      const month = await p.call<Problem>('GET', `/v1/reports/profitability?from=${from}`);
      expect(month.body.errors?.map((e) => e.field)).toContain('from');
    }
    expect((await p.call('GET', '/v1/reports/profitability?from=2026-01', { token: await p.tokenFor('viewer') })).status).toBe(403);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { OverviewResource } from '../src/reports/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { UsagePeriodResource } from '../src/usage/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * Multi-currency: one plan priced in USD (its default), EUR and JPY (no minor unit),
 * customers each billed in the one currency of their first subscription. Figures by hand:
 *
 *   Team   USD 49.00 (overage 0.30 per 1,000), EUR 45.00 (0.25), JPY 7000 (4); 100,000 tokens included
 *   Scale  EUR 99.00 (0.25), USD 109.00 (0.35); 1,000,000 tokens included
 *
 *   Eva (EUR, tax 19 %)  Apr 1  Team fee 4500, tax 855 → 5355, paid
 *                        Apr 5  160,500 tokens → 60,500 over the included 100,000
 *                        Apr 16 change to Scale, 15 of 30 days left:
 *                               credit −round(4500 × 15/30) = −2250, charge +round(9900 × 15/30) = 4950
 *                        May 1  Scale fee 9900 − 2250 + 4950 + overage round(60,500 × 25 / 1000 = 1512.5) = 1513
 *                               = 14113, tax round(2681.47) = 2681 → 16794, paid
 *   Jun (JPY, tax 0)     Apr 1  Team 7000 JPY, paid; May 1 7000 JPY, paid
 *   Uma (USD by default) Apr 1  Team 4900 USD, paid; May 1 4900 USD, paid
 *
 *   Overview on May 2: MRR EUR 9900, JPY 7000, USD 4900; collected in April EUR 5355, JPY 7000,
 *   USD 4900 and in May EUR 16794, JPY 7000, USD 4900; April's movement new EUR 9900 (Eva ends the
 *   month on Scale), JPY 7000 (Team's JPY price), USD 4900.
 */
const at = (month: number, day: number) => Date.UTC(2026, month - 1, day);
const clock = manualClock(at(4, 1));
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock }, env: { FIRST_PAYMENT_BONUS_BPS: '0' } });
  f = billingFixtures(p);
});
afterAll(() => p.close());

const teamPrices = {
  EUR: { price_amount: 4500, overage_price_per_1k: 25 },
  JPY: { price_amount: 7000, overage_price_per_1k: 4 },
};
const team = () => f.plan({ name: 'Team', currency: 'USD', price_amount: 4900, overage_price_per_1k: 30, included_tokens: 100_000, prices: teamPrices });
const scale = () => f.plan({ name: 'Scale', currency: 'EUR', price_amount: 9900, overage_price_per_1k: 25, included_tokens: 1_000_000, prices: { USD: { price_amount: 10_900, overage_price_per_1k: 35 } } });
const problemFields = (res: { body: unknown }) => ((res.body as Problem).errors ?? []).map((e) => e.field);

describe('plans priced per currency', () => {
  test('the plan lists every price, its default first; sent keyed by currency, an entry in the default currency is the default price', async () => {
    const plan = await f.plan({ currency: 'usd', price_amount: 1, overage_price_per_1k: 1, prices: { ...teamPrices, USD: { price_amount: 4900, overage_price_per_1k: 30 } } });
    expect(plan.price).toEqual({ amount: 4900, currency: 'USD' });
    expect(plan.prices).toEqual([
      { currency: 'USD', price_amount: 4900, overage_price_per_1k: 30, seat_price: 0 },
      { currency: 'EUR', price_amount: 4500, overage_price_per_1k: 25, seat_price: 0 },
      { currency: 'JPY', price_amount: 7000, overage_price_per_1k: 4, seat_price: 0 },
    ]);
    expect((await f.ok<PlanResource>('GET', `/v1/plans/${plan.id}`)).prices).toEqual(plan.prices);
    const listed = await f.ok<Page<PlanResource>>('GET', `/v1/plans?code=${plan.code}`);
    expect(listed.data[0]!.prices).toEqual(plan.prices);
    const [created] = await f.eventsOf(plan.id);
    expect((created!.data as { plan: { prices: unknown } }).plan.prices).toEqual(plan.prices);
  });

  test('a list, a lower-case or unknown currency key is a 400 naming it; nothing is created', async () => {
    const list = await p.call('POST', '/v1/plans', { body: { code: 'listed', name: 'T', price_amount: 100, currency: 'USD', interval: 'month', prices: [{ currency: 'EUR', price_amount: 1 }] } });
    expect([list.status, problemFields(list)]).toEqual([400, ['prices']]);
    // Keys are upper case only: "eur" and "EUR" would otherwise be one currency listed twice.
    const lower = await p.call('POST', '/v1/plans', { body: { code: 'lower', name: 'T', price_amount: 100, currency: 'USD', interval: 'month', prices: { eur: { price_amount: 1 } } } });
    expect([lower.status, problemFields(lower)]).toEqual([400, ['prices.eur']]);
    const unknown = await p.call('POST', '/v1/plans', { body: { code: 'unknown', name: 'T', price_amount: 100, currency: 'USD', interval: 'month', prices: { XYZ: { price_amount: 1 } } } });
    expect([unknown.status, problemFields(unknown)]).toEqual([400, ['prices.XYZ']]);
    // Currencies are ISO codes in upper or lower case (as Stripe writes them), nothing else.
    const spaced = await p.call('POST', '/v1/plans', { body: { code: 'spaced', name: 'T', price_amount: 100, currency: ' EUR', interval: 'month' } });
    expect([spaced.status, problemFields(spaced)]).toEqual([400, ['currency']]);
    expect((await f.ok<Page<PlanResource>>('GET', '/v1/plans?code=lower')).data).toEqual([]);
  });

  test('a PATCH of prices makes a new version; the old one keeps its prices', async () => {
    const plan = await team();
    const patched = await f.ok<PlanResource>('PATCH', `/v1/plans/${plan.id}`, { prices: { GBP: { price_amount: 3900, overage_price_per_1k: 20 } } });
    expect(patched.version).toBe(2);
    expect(patched.prices.map((x) => x.currency)).toEqual(['USD', 'GBP']);
    expect((await f.ok<PlanResource>('GET', `/v1/plans/${plan.id}?version=1`)).prices.map((x) => x.currency)).toEqual(['USD', 'EUR', 'JPY']);
    const updated = await f.eventTypes('plan.updated');
    expect(updated.find((e) => e.subject === plan.id)!.data.changed).toEqual(['prices']);
    // A PATCH that moves the default currency keeps the other prices.
    const moved = await f.ok<PlanResource>('PATCH', `/v1/plans/${plan.id}`, { currency: 'EUR', price_amount: 4500, overage_price_per_1k: 25, seat_price: 0 });
    expect(moved.prices.map((x) => x.currency)).toEqual(['EUR', 'GBP']);
  });
});

describe('a customer billed in one currency', () => {
  test('EUR, JPY and USD customers get invoices in their currency, fee, overage and proration included; the overview is per currency', async () => {
    clock.set(at(4, 1));
    const [teamPlan, scalePlan, usdOnly] = [await team(), await scale(), await f.plan({ currency: 'USD', price_amount: 2900 })];
    const eva = await f.customer({ tax_rate_bps: 1900, payment_method: 'tok_ok' });
    const jun = await f.customer({ payment_method: 'tok_ok' });
    const uma = await f.customer({ payment_method: 'tok_ok' });
    expect(eva.currency).toBeNull();

    const evaSub = await f.subscribe({ customer_id: eva.id, plan_id: teamPlan.id, trial: false, currency: 'eur' });
    expect(evaSub.currency).toBe('EUR');
    await f.subscribe({ customer_id: jun.id, plan_id: teamPlan.id, trial: false, currency: 'JPY' });
    expect((await f.subscribe({ customer_id: uma.id, plan_id: teamPlan.id, trial: false })).currency).toBe('USD');
    expect((await f.ok<CustomerResource>('GET', `/v1/customers/${eva.id}`)).currency).toBe('EUR');
    expect((await f.ok<CustomerResource>('GET', `/v1/customers/${uma.id}`)).currency).toBe('USD');
    // Each first invoice was collected as it subscribed.
    expect(await f.cycle()).toMatchObject({ attempted: 0, errors: 0 });

    // A later subscription in another currency, or to a plan without a EUR price, is refused.
    const otherCurrency = await p.call('POST', '/v1/subscriptions', { body: { customer_id: eva.id, plan_id: teamPlan.id, currency: 'USD' } });
    expect(otherCurrency.status).toBe(409);
    expect(otherCurrency.body).toMatchObject({ code: 'currency_mismatch' });
    expect(problemFields(otherCurrency)).toEqual(['currency']);
    const unpriced = await p.call('POST', '/v1/subscriptions', { body: { customer_id: eva.id, plan_id: usdOnly.id } });
    expect(unpriced.status).toBe(409);
    expect(problemFields(unpriced)).toEqual(['plan_id', 'currency']);
    const unpricedChange = await p.call('POST', `/v1/subscriptions/${evaSub.id}/change-plan`, { body: { plan_id: usdOnly.id } });
    expect(unpricedChange.status).toBe(409);
    expect(problemFields(unpricedChange)).toEqual(['plan_id', 'currency']);
    expect((await f.ok<Page<SubscriptionResource>>('GET', `/v1/customers/${eva.id}/subscriptions`)).data).toHaveLength(1);

    // Apr 5: 60,500 tokens over, charged at Team's EUR overage price.
    clock.set(at(4, 5));
    await f.ok('POST', '/v1/usage', { records: [{ id: 'eva-1', customer_id: eva.id, model: 'm', tokens: 160_500, occurred_at: new Date(at(4, 5)).toISOString() }] });
    expect(await f.ok<UsagePeriodResource>('GET', `/v1/subscriptions/${evaSub.id}/usage`)).toMatchObject({
      overage_tokens: 60_500,
      overage_price_per_1k: { amount: 25, currency: 'EUR' },
      overage_charge: { amount: 1513, currency: 'EUR' },
    });

    // Apr 16: to Scale, prorated in EUR.
    clock.set(at(4, 16));
    const changed = await f.ok<SubscriptionResource>('POST', `/v1/subscriptions/${evaSub.id}/change-plan`, { plan_id: scalePlan.id });
    expect(changed).toMatchObject({ plan_id: scalePlan.id, currency: 'EUR' });

    clock.set(at(5, 1));
    expect(await f.cycle()).toMatchObject({ advanced: 3, attempted: 3, errors: 0 });

    const evaInvoices = await f.invoices(`customer_id=${eva.id}`);
    expect(evaInvoices.map((i) => [i.currency, i.subtotal, i.tax, i.total, i.amount_paid, i.status])).toEqual([
      ['EUR', 4500, 855, 5355, 5355, 'paid'],
      ['EUR', 14_113, 2681, 16_794, 16_794, 'paid'],
    ]);
    expect(evaInvoices[1]!.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['subscription_fee', 9900],
      ['proration_credit', -2250],
      ['proration_charge', 4950],
      ['usage_overage', 1513],
    ]);
    const junInvoices = await f.invoices(`customer_id=${jun.id}`);
    expect(junInvoices.map((i: InvoiceResource) => [i.currency, i.total, i.status])).toEqual([['JPY', 7000, 'paid'], ['JPY', 7000, 'paid']]);
    const umaInvoices = await f.invoices(`customer_id=${uma.id}`);
    expect(umaInvoices.map((i) => [i.currency, i.total, i.status])).toEqual([['USD', 4900, 'paid'], ['USD', 4900, 'paid']]);

    clock.set(at(5, 2));
    const overview = await f.ok<OverviewResource>('GET', '/v1/reports/overview');
    const figures = overview.currencies.map((c) => ({
      currency: c.currency,
      mrr: c.mrr.amount,
      april: c.revenue_by_month.at(-2)!.collected.amount,
      may: c.revenue_by_month.at(-1)!.collected.amount,
      open: c.open.amount_due.amount,
    }));
    expect(figures).toEqual([
      { currency: 'EUR', mrr: 9900, april: 5355, may: 16_794, open: 0 },
      { currency: 'JPY', mrr: 7000, april: 7000, may: 7000, open: 0 },
      { currency: 'USD', mrr: 4900, april: 4900, may: 4900, open: 0 },
    ]);
    const eur = overview.currencies.find((c) => c.currency === 'EUR')!;
    // New in April and upgraded within it: the month counts it new at its price at the month's end.
    expect(eur.mrr_movement_by_month.at(-2)!.movement).toMatchObject({ new: { amount: 9900 }, expansion: { amount: 0 }, net: { amount: 9900, currency: 'EUR' } });
    const jpy = overview.currencies.find((c) => c.currency === 'JPY')!;
    expect(jpy.mrr_movement_by_month.at(-2)!.movement.new).toEqual({ amount: 7000, currency: 'JPY' });
  });
});

describe('what a subscription adds is in its own currency, not its plan\'s default', () => {
  test('a fixed coupon in EUR fits a EUR subscription of a USD plan, one in USD does not; its minimum spend is in EUR', async () => {
    const plan = await team();
    await f.ok('POST', '/v1/coupons', { code: 'EURO5', name: '5 EUR off', amount_off: 500, currency: 'EUR', duration: 'once' }, 201);
    await f.ok('POST', '/v1/coupons', { code: 'DOLLAR5', name: '5 USD off', amount_off: 500, currency: 'USD', duration: 'once' }, 201);
    const customer = await f.customer({ payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id, currency: 'EUR', coupon: 'EURO5' });
    const other = await f.customer({ payment_method: 'tok_ok' });
    const refused = await p.call<Problem & { reason?: string }>('POST', '/v1/subscriptions', { body: { customer_id: other.id, plan_id: plan.id, currency: 'EUR', coupon: 'DOLLAR5' } });
    expect([refused.status, refused.body.reason]).toEqual([409, 'currency_mismatch']);
    const minimum = await f.ok<{ amount: { amount: number; currency: string } }>('PUT', `/v1/subscriptions/${sub.id}/minimum-spend`, { amount: 9000 });
    expect(minimum.amount).toEqual({ amount: 9000, currency: 'EUR' });
  });
});

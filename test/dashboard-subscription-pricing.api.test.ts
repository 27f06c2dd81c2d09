import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { PriceOverrideResource } from '../src/price-overrides/contract.ts';
import type { AddOnResource, AdjustmentResource, SubscriptionResource } from '../src/subscriptions/contract.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import type { UsageBatchResource } from '../src/usage/contract.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

/**
 * A subscription's pricing on its dashboard page, read and changed as an operator's browser does:
 * seats and the seat price in force, add-ons, negotiated prices, usage so far per meter. The
 * clock stands still ten days into a 30-day April, so every proration is exact: the rest of the
 * period is 20/30.
 */
const APRIL_1 = Date.UTC(2026, 3, 1);
const clock = manualClock(APRIL_1);
let p: TestPlatform;
let operator = '';
let viewer = '';
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
  const meter = await p.call('POST', '/v1/meters', { body: { code: 'sub_storage', name: 'Storage', aggregation: 'sum', value_property: 'gb', group_by: ['region'] } });
  expect(meter.status).toBe(201);
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 8);
const ORIGIN = 'http://localhost';
const iso = (ms: number) => new Date(ms).toISOString();

async function open(path: string, token = operator) {
  const res = await p.app.request(path, { headers: { Cookie: `admin_session=${token}` } });
  return { status: res.status, html: await res.text() };
}

/** Posts a form from `from` (whose CSRF field it copies) to `action`; follows the redirect. */
async function post(from: string, action: string, fields: Record<string, string>, token = operator) {
  const csrf = /name="_csrf" value="([^"]*)"/.exec((await open(from, token)).html)?.[1] ?? '';
  const res = await p.app.request(action, {
    method: 'POST',
    headers: { Cookie: `admin_session=${token}`, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
  if (res.status !== 303) return { status: res.status, location: null, html: await res.text() };
  const location = res.headers.get('Location')!;
  return { status: 303, location, html: (await open(location, token)).html };
}

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
/** The page's text from the element carrying `data-test="<name>"` on, tags dropped, spaces collapsed (rough, enough for assertions). */
const textOf = (html: string, name: string, upTo?: string) => {
  const at = html.indexOf(`data-test="${name}"`);
  if (at < 0) return '';
  const from = html.slice(at);
  const end = upTo ? from.indexOf(`data-test="${upTo}"`) : -1;
  return decode((end > 0 ? from.slice(0, end) : from).replace(/^[^>]*>/, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
};
const flash = (html: string, kind: 'notice' | 'error') => decode(new RegExp(`<div class="flash ${kind}"[^>]*>([^<]*)</div>`).exec(html)?.[1] ?? '');

const tokenCharge = { meter: 'ai_tokens', model: 'per_unit', unit_price: '0.001', prices: [{ dimensions: { model: 'gpt-4o', token_type: 'output' }, unit_price: '0.002' }] };
const storageCharge = { meter: 'sub_storage', model: 'per_unit', unit_price: '20', prices: [{ dimensions: { region: 'eu' }, unit_price: '15' }] };

/**
 * A customer paying by card on a USD plan (99.00 a month, 15.00 a seat, tokens and storage
 * charged) with 3 seats from April 1; the clock is then ten days on, and usage recorded:
 * 1,000 gpt-4o output tokens (2 minor units), 5,000 input tokens (5), 30 GB in eu (450) and
 * 12 GB in us (240): 697 minor units so far.
 */
async function subscribedWithUsage() {
  clock.set(APRIL_1);
  const plan = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `seats-${tag()}`, name: 'Team', price_amount: 9900, currency: 'USD', interval: 'month', trial_days: 0, quota_policy: 'overage', seat_price: 1500, charges: [tokenCharge, storageCharge] } });
  expect(plan.status).toBe(201);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id, trial: false, seats: 3 } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + 10 * DAY_MS);
  // Sessions signed at the clock's time: fresh ones, now that it moved on.
  operator = await p.tokenFor('operator');
  viewer = await p.tokenFor('viewer');
  const at = iso(APRIL_1 + 9 * DAY_MS);
  const customerId = customer.body.id;
  const usage = await p.call<UsageBatchResource>('POST', '/v1/usage', {
    body: {
      records: [
        { id: `t1-${tag()}`, customer_id: customerId, model: 'gpt-4o', tokens: 1000, token_type: 'output', occurred_at: at },
        { id: `t2-${tag()}`, customer_id: customerId, model: 'gpt-4o', tokens: 5000, token_type: 'input', occurred_at: at },
        { id: `s1-${tag()}`, customer_id: customerId, meter: 'sub_storage', timestamp: at, properties: { gb: 30, region: 'eu' } },
        { id: `s2-${tag()}`, customer_id: customerId, meter: 'sub_storage', timestamp: at, properties: { gb: 12, region: 'us' } },
      ],
    },
  });
  expect(usage.status).toBe(200);
  expect(usage.body.accepted).toBe(4);
  return { subId: sub.body.id, customerId, planId: plan.body.id, path: `/admin/subscriptions/${sub.body.id}` };
}

describe("dashboard: a subscription's seats, add-ons, negotiated prices and usage", () => {
  test('the customer page and the subscriptions list link to the subscription page', async () => {
    const { subId, customerId } = await subscribedWithUsage();
    expect((await open(`/admin/customers/${customerId}`)).html).toContain(`<a href="/admin/subscriptions/${subId}" data-test="customer-subscription-link">`);
    expect((await open(`/admin/subscriptions?customer_id=${customerId}`)).html).toContain(`<a href="/admin/subscriptions/${subId}" data-test="subscription-link">`);
    expect((await open(`/admin/subscriptions/${subId}`)).html).toContain(`<a href="/admin/customers/${customerId}" data-test="subscription-customer">`);
  });

  test("the page shows the seats with the plan's seat price, and the usage so far per meter: groups, the charge's lines with their prices, amounts to the minor unit", async () => {
    const { path } = await subscribedWithUsage();
    const page = await open(path);
    expect(page.status).toBe(200);
    expect(textOf(page.html, 'seat-count')).toStartWith('3');
    expect(textOf(page.html, 'seat-price-in-force')).toStartWith("15.00 USD / seat (the plan's)");
    expect(textOf(page.html, 'seats-amount')).toStartWith('3 × 15.00 USD = 45.00 USD');
    expect(textOf(page.html, 'add-on-list')).toStartWith('No add-ons.');
    expect(textOf(page.html, 'no-deal')).toStartWith("No negotiated prices: the plan's apply.");

    expect(textOf(page.html, 'usage-amount')).toStartWith('6.97 USD');
    const meters = page.html.split('data-test="usage-meter"').slice(1);
    expect(meters).toHaveLength(2);
    const [tokens, storage] = meters.map((m) => textOf(`data-test="x"${m}`, 'x'));
    expect(tokens).toContain('Meter ai_tokens Quantity 6,000 Charge per_unit: 0.07 USD');
    expect(tokens).toContain('model = gpt-4o, token_type = output 1,000');
    expect(tokens).toContain('model = gpt-4o, token_type = input 5,000');
    expect(tokens).toContain('model = gpt-4o, token_type = output 0.002 minor units of USD (= 0.00002 USD) per unit 1,000 0.02 USD');
    expect(tokens).toContain('default price 0.001 minor units of USD (= 0.00001 USD) per unit 5,000 0.05 USD');
    expect(storage).toContain('Meter sub_storage Quantity 42 Charge per_unit: 6.90 USD');
    expect(storage).toContain('Dimension values Quantity region = eu 30 region = us 12');
    expect(storage).toContain('region = eu 15 minor units of USD (= 0.15 USD) per unit 30 4.50 USD');
    expect(storage).toContain('default price 20 minor units of USD (= 0.20 USD) per unit 12 2.40 USD');
  });

  test('an operator changes the seats through the form and the notice tells the proration the change made; the page shows the new count and the waiting line', async () => {
    const { subId, path } = await subscribedWithUsage();
    const res = await post(path, `${path}/seats`, { seats: '5' });
    expect(res.location).toStartWith(`${path}?notice=`);
    // 2 more seats × 15.00 USD for 20 of 30 days: 20.00 USD.
    expect(flash(res.html, 'notice')).toMatch(/^Seats 3 → 5\. Proration: \+20\.00 USD \(2 more seats × 15\.00 USD \(3 → 5\), remaining time from 2026-04-11 to 2026-05-01\)\.$/);
    expect(textOf(res.html, 'seat-count')).toStartWith('5');
    expect(textOf(res.html, 'seats-amount')).toStartWith('5 × 15.00 USD = 75.00 USD');
    expect(textOf(res.html, 'pending-adjustments')).toContain('proration_charge 2 more seats × 15.00 USD (3 → 5)');
    expect(textOf(res.html, 'adjustment-amount')).toStartWith('20.00 USD');
    expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${subId}`)).body.seats).toBe(5);
    const adjustments = await p.call<Page<AdjustmentResource>>('GET', `/v1/subscriptions/${subId}/adjustments`);
    expect(adjustments.body.data.map((a) => a.amount.amount)).toEqual([2000]);

    const refused = await post(path, `${path}/seats`, { seats: '0' });
    expect(refused.location).toStartWith(`${path}?error=`);
    expect(flash(refused.html, 'error')).toBe('seats: must be at least 1');
    expect(flash((await post(path, `${path}/seats`, { seats: 'many' })).html, 'error')).toBe('seats: must be a whole number');
    expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${subId}`)).body.seats).toBe(5);
  });

  test('an operator attaches an add-on and removes it; the list shows quantity × unit amount, attached and removed; a second one of the same code is refused', async () => {
    const { subId, path } = await subscribedWithUsage();
    const attached = await post(path, `${path}/add-ons`, { code: 'support', name: 'Priority support', unit_amount: '1000', quantity: '2' });
    // 2 × 10.00 USD for 20 of 30 days: 13.33 USD.
    expect(flash(attached.html, 'notice')).toStartWith('Add-on support attached: 2 × 10.00 USD per period. Proration: +13.33 USD (Add-on Priority support (support): 2 × 10.00 USD, remaining time from 2026-04-11 to 2026-05-01).');
    const row = textOf(attached.html, 'add-on-list');
    expect(row).toContain(`support Priority support 2 × 10.00 USD = 20.00 USD ${iso(APRIL_1 + 10 * DAY_MS).slice(0, 16).replace('T', ' ')} UTC —`);
    expect(attached.html).toContain('data-test="remove-add-on"');

    const again = await post(path, `${path}/add-ons`, { code: 'SUPPORT', name: 'Again', unit_amount: '5' });
    expect(flash(again.html, 'error')).toContain('already has the add-on support');
    const invalid = await post(path, `${path}/add-ons`, { code: 'bad code', name: 'X', unit_amount: '-1' });
    expect(flash(invalid.html, 'error')).toContain('code: must be 1 to 64 letters');
    expect(flash(invalid.html, 'error')).toContain('unit_amount: must not be negative');

    const addOns = await p.call<Page<AddOnResource>>('GET', `/v1/subscriptions/${subId}/add-ons`);
    expect(addOns.body.data).toHaveLength(1);
    const removed = await post(path, `${path}/add-ons/${addOns.body.data[0]!.id}/remove`, {});
    expect(flash(removed.html, 'notice')).toStartWith('Add-on support removed. Proration: -13.33 USD (Add-on Priority support (support): 2 × 10.00 USD, unused time');
    const after = textOf(removed.html, 'add-on-list', 'attach-add-on');
    expect(after).toContain('2 × 10.00 USD = 20.00 USD');
    expect(after.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g)).toHaveLength(2);
    expect(removed.html).not.toContain('data-test="remove-add-on"');
    expect((await p.call<Page<AddOnResource>>('GET', `/v1/subscriptions/${subId}/add-ons`)).body.data[0]!.removed_at).not.toBeNull();
  });

  test('an operator sets negotiated prices; the page shows the version in force with its charges, the negotiated seat price, the history, and the usage repriced', async () => {
    const { subId, path } = await subscribedWithUsage();
    const charges = [{ meter: 'sub_storage', model: 'per_unit', unit_price: '10' }];
    const res = await post(path, `${path}/prices`, { charges: JSON.stringify(charges), seat_price: '1200', note: 'Annual deal' });
    expect(flash(res.html, 'notice')).toBe('Negotiated prices v1 in force.');
    const api = await p.call<PriceOverrideResource>('GET', `/v1/subscriptions/${subId}/prices`);
    expect(api.body).toMatchObject({ version: 1, charges, seat_price: { amount: 1200, currency: 'USD' }, note: 'Annual deal' });

    expect(textOf(res.html, 'prices-version')).toStartWith('v1');
    expect(textOf(res.html, 'negotiated-seat-price')).toStartWith('12.00 USD / seat');
    expect(textOf(res.html, 'prices-in-force', 'negotiated-charges')).toContain(`Note Annual deal By ${api.body.created_by}`);
    // The plan's charge renderer, on the negotiated charge.
    const card = textOf(res.html, 'negotiated-charges', 'price-versions');
    expect(card).toContain('Meter sub_storage Model per_unit Default price 10 minor units of USD (= 0.10 USD) per unit');
    expect(textOf(res.html, 'seat-price-in-force')).toStartWith('12.00 USD / seat (negotiated)');
    expect(textOf(res.html, 'seats-amount')).toStartWith('3 × 12.00 USD = 36.00 USD');
    // Storage repriced: 42 GB × 10 = 4.20 USD, tokens 0.07 USD.
    expect(textOf(res.html, 'usage-amount')).toStartWith('4.27 USD');
    const history = textOf(res.html, 'price-versions', 'negotiate');
    expect(history).toContain(`v1 ${iso(APRIL_1 + 10 * DAY_MS).slice(0, 16).replace('T', ' ')} UTC ${api.body.created_by} sub_storage 12.00 USD Annual deal`);
    // The form starts from the deal in force: the whole deal is sent each time.
    expect(decode(res.html)).toContain('"unit_price": "10"');

    const second = await post(path, `${path}/prices`, { charges: JSON.stringify([tokenCharge]), seat_price: '', note: '' });
    expect(flash(second.html, 'notice')).toBe('Negotiated prices v2 in force.');
    expect(textOf(second.html, 'negotiated-seat-price')).toStartWith("the plan's");
    expect(textOf(second.html, 'seat-price-in-force')).toStartWith("15.00 USD / seat (the plan's)");
    const rows = textOf(second.html, 'price-versions', 'negotiate');
    expect(rows.indexOf('v2')).toBeLessThan(rows.indexOf('v1'));
    expect(rows).toContain("ai_tokens plan's");
  });

  test('a refused deal comes back with the API schema\'s messages by field path, and writes nothing', async () => {
    const { subId, path } = await subscribedWithUsage();
    const notJson = await post(path, `${path}/prices`, { charges: '[{"meter": ' });
    expect(notJson.location).toStartWith(`${path}?error=`);
    expect(flash(notJson.html, 'error')).toStartWith('charges: must be a JSON array of usage charges');
    const bad = await post(path, `${path}/prices`, { charges: JSON.stringify([{ meter: 'sub_storage', model: 'graduated', tiers: [{ up_to: 10, unit_price: 'x' }] }]), seat_price: '-5' });
    expect(flash(bad.html, 'error')).toContain('charges.0.tiers.0.unit_price: must be a decimal number of minor units');
    expect(flash(bad.html, 'error')).toContain('seat_price: must not be negative');
    const unknown = await post(path, `${path}/prices`, { charges: JSON.stringify([{ meter: 'no_such_meter', model: 'per_unit', unit_price: '1' }]) });
    expect(flash(unknown.html, 'error')).toContain('charges.0.meter');
    expect((await p.call('GET', `/v1/subscriptions/${subId}/prices`)).status).toBe(404);
  });

  test('a viewer sees the pricing but no form or button, and every pricing post is refused (403)', async () => {
    const { subId, path } = await subscribedWithUsage();
    await p.call('POST', `/v1/subscriptions/${subId}/add-ons`, { body: { code: 'support', name: 'Support', unit_amount: 500 } });
    const page = await open(path, viewer);
    expect(page.status).toBe(200);
    expect(textOf(page.html, 'seat-count')).toStartWith('3');
    expect(textOf(page.html, 'add-on-list')).toContain('support Support 1 × 5.00 USD');
    expect(textOf(page.html, 'usage-amount')).toStartWith('6.97 USD');
    const main = page.html.slice(page.html.indexOf('<main>'));
    expect(main).not.toContain('method="post"');
    const addOn = (await p.call<Page<AddOnResource>>('GET', `/v1/subscriptions/${subId}/add-ons`)).body.data[0]!;
    for (const [action, fields] of [
      [`${path}/seats`, { seats: '9' }],
      [`${path}/add-ons`, { code: 'x', name: 'X', unit_amount: '1' }],
      [`${path}/add-ons/${addOn.id}/remove`, {}],
      [`${path}/prices`, { charges: '[]', seat_price: '1' }],
    ] as const) {
      expect({ action, status: (await post(path, action, fields, viewer)).status }).toEqual({ action, status: 403 });
    }
    expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${subId}`)).body.seats).toBe(3);
    expect((await p.call('GET', `/v1/subscriptions/${subId}/prices`)).status).toBe(404);
  });
});

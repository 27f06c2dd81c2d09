import { describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { PlanResource } from '../../src/plans/contract.ts';
import type { SubscriptionResource } from '../../src/subscriptions/contract.ts';
import type { UsageBatchResource } from '../../src/usage/contract.ts';
import { customerInput } from '../harness.ts';
import { hasChromium, SKIP_REASON, useBrowserRig } from './harness.ts';

const rig = useBrowserRig();

const text = (page: Page, test: string) => page.locator(`[data-test="${test}"]`).first().innerText();
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe.skipIf(!hasChromium)(hasChromium ? "dashboard: a subscription's pricing" : `dashboard: a subscription's pricing [${SKIP_REASON}]`, () => {
  test('an operator opens a subscription from its customer, changes the seats, attaches an add-on and sets negotiated prices; the usage so far shows per meter; it fits 375 px', async () => {
    const { call } = rig.platform;
    const meter = `disk_${crypto.randomUUID().slice(0, 6)}`;
    await call('POST', '/v1/meters', { body: { code: meter, name: 'Disk', aggregation: 'sum', value_property: 'gb', group_by: ['region'] } });
    const plan = (await call<PlanResource>('POST', '/v1/plans', {
      body: { code: `team-${crypto.randomUUID().slice(0, 6)}`, name: 'Team', price_amount: 9900, currency: 'USD', interval: 'month', quota_policy: 'overage', seat_price: 1500, charges: [{ meter, model: 'per_unit', unit_price: '20', prices: [{ dimensions: { region: 'eu' }, unit_price: '15' }] }] },
    })).body;
    const customer = (await call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) })).body;
    const sub = (await call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.id, plan_id: plan.id, trial: false, seats: 2 } })).body;
    const now = new Date().toISOString();
    const usage = await call<UsageBatchResource>('POST', '/v1/usage', {
      body: {
        records: [
          { id: `d1-${sub.id}`, customer_id: customer.id, meter, timestamp: now, properties: { gb: 30, region: 'eu' } },
          { id: `d2-${sub.id}`, customer_id: customer.id, meter, timestamp: now, properties: { gb: 12, region: 'us' } },
          { id: `t1-${sub.id}`, customer_id: customer.id, model: 'gpt-4o', tokens: 700, token_type: 'output', occurred_at: now },
        ],
      },
    });
    expect(usage.body.accepted).toBe(3);

    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('operator'));
    await page.goto(`/admin/customers/${customer.id}`);
    await Promise.all([page.waitForURL(new RegExp(`/admin/subscriptions/${sub.id}$`)), page.click('[data-test=customer-subscription-link]')]);
    expect(await text(page, 'seat-count')).toBe('2');
    expect(await text(page, 'seat-price-in-force')).toBe("15.00 USD / seat (the plan's)");
    // 30 GB in eu at 15 and 12 GB elsewhere at 20: 4.50 + 2.40 USD.
    expect(await text(page, 'usage-amount')).toBe('6.90 USD');
    const disk = page.locator(`[data-test=usage-meter][data-meter="${meter}"]`);
    expect((await disk.locator('[data-test=usage-lines] tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '))).toEqual([
      'region = eu 15 minor units of USD (= 0.15 USD) per unit 30 4.50 USD',
      'default price 20 minor units of USD (= 0.20 USD) per unit 12 2.40 USD',
    ]);
    expect(await page.locator('[data-test=usage-meter][data-meter=ai_tokens]').innerText()).toContain('700');

    // Seats: the notice tells the proration the change made.
    await page.fill('#seats', '4');
    await Promise.all([page.waitForURL(/notice=/), page.click('[data-test=change-seats-submit]')]);
    expect(await page.locator('.flash.notice').innerText()).toMatch(/^Seats 2 → 4\. Proration: \+\d+\.\d{2} USD \(2 more seats × 15\.00 USD \(2 → 4\), remaining time from /);
    expect(await text(page, 'seat-count')).toBe('4');
    expect(await text(page, 'pending-adjustments')).toContain('proration_charge');

    // An add-on.
    await page.fill('#ao-code', 'support');
    await page.fill('#ao-name', 'Priority support');
    await page.fill('#ao-unit-amount', '1000');
    await page.fill('#ao-quantity', '2');
    await Promise.all([page.waitForURL(/notice=/), page.click('[data-test=attach-add-on-submit]')]);
    expect(await page.locator('.flash.notice').innerText()).toStartWith('Add-on support attached: 2 × 10.00 USD per period.');
    expect(await text(page, 'add-on-amount')).toBe('2 × 10.00 USD = 20.00 USD');

    // Negotiated prices: a refusal by field path, then the deal.
    await page.fill('#deal-charges', JSON.stringify([{ meter, model: 'per_unit', unit_price: 'cheap' }]));
    await Promise.all([page.waitForURL(/error=/), page.click('[data-test=negotiate-submit]')]);
    expect(await page.locator('.flash.error').innerText()).toContain('charges.0.unit_price: must be a decimal number of minor units');
    await page.fill('#deal-charges', JSON.stringify([{ meter, model: 'per_unit', unit_price: '10' }], null, 2));
    await page.fill('#deal-seat-price', '1200');
    await page.fill('#deal-note', 'Annual deal');
    await Promise.all([page.waitForURL(/notice=/), page.click('[data-test=negotiate-submit]')]);
    expect(await page.locator('.flash.notice').innerText()).toBe('Negotiated prices v1 in force.');
    expect(await text(page, 'prices-version')).toBe('v1');
    expect(await text(page, 'seat-price-in-force')).toBe('12.00 USD / seat (negotiated)');
    expect(await page.locator('[data-test=negotiated-charges] [data-test=charge]').count()).toBe(1);
    expect(await text(page, 'price-versions')).toContain('Annual deal');
    // 42 GB at the negotiated 10: 4.20 USD.
    expect(await text(page, 'usage-amount')).toBe('4.20 USD');
    await rig.screenshot(page, 'subscription-pricing');

    const path = `/admin/subscriptions/${sub.id}`;
    const narrow = await rig.newPage({ width: 375 });
    await rig.signIn(narrow, await rig.operator('operator'));
    await narrow.goto(path);
    expect(await overflow(narrow)).toBeLessThanOrEqual(0);
    await rig.screenshot(narrow, 'subscription-pricing-375');

    const viewer = await rig.newPage({ width: 375 });
    await rig.signIn(viewer, await rig.operator('viewer'));
    await viewer.goto(path);
    expect(await viewer.locator('main form[method=post]').count()).toBe(0);
    expect(await text(viewer, 'seat-count')).toBe('4');
    expect(await overflow(viewer)).toBeLessThanOrEqual(0);
    expect(rig.consoleErrors).toEqual([]);
  });
});

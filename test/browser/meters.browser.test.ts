import { describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { hasChromium, SKIP_REASON, useBrowserRig } from './harness.ts';

const rig = useBrowserRig();

const text = (page: Page, test: string) => page.locator(`[data-test="${test}"]`).first().innerText();
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe.skipIf(!hasChromium)(hasChromium ? 'dashboard: meters and usage charges' : `dashboard: meters and usage charges [${SKIP_REASON}]`, () => {
  test('an operator defines a meter from the form, prices it on a new plan with tiers and per-dimension prices typed as JSON, reads the charges on the plan page, follows the meter link and archives the meter', async () => {
    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('operator'));
    const code = `storage_${crypto.randomUUID().slice(0, 6)}`;

    // Meters, from the navigation.
    await Promise.all([page.waitForURL(/\/admin\/meters$/), page.click('nav.side a[href="/admin/meters"]')]);
    expect(await text(page, 'meters')).toContain('ai_tokens');
    await page.fill('#m-code', code);
    await page.fill('#m-name', 'Storage');
    await page.selectOption('#m-aggregation', 'max');
    await page.fill('#m-value-property', 'gb');
    await page.fill('#m-group-by', 'region, tier');
    await Promise.all([page.waitForURL(new RegExp(`/admin/meters/${code}\\?notice=`)), page.click('[data-test=create-meter-submit]')]);
    expect(await page.locator('.flash.notice').innerText()).toContain(`Meter ${code} created`);
    expect(await text(page, 'meter')).toContain('region, tier');
    await rig.screenshot(page, 'meter');

    // A refused meter: the schema's message for the field.
    await page.goto('/admin/meters');
    await page.fill('#m-code', `${code}_sum`);
    await page.fill('#m-name', 'No property');
    await page.selectOption('#m-aggregation', 'sum');
    await Promise.all([page.waitForURL(/error=/), page.click('[data-test=create-meter-submit]')]);
    expect(await page.locator('.flash.error').innerText()).toContain('value_property: is required for a sum meter');
    await page.goto('/admin/meters');
    await rig.screenshot(page, 'meters');

    // A plan with a seat price and charges typed as JSON.
    await page.goto('/admin/plans');
    const plan = `usage-${crypto.randomUUID().slice(0, 6)}`;
    await page.fill('#code', plan);
    await page.fill('#name', 'Usage');
    await page.fill('#price_amount', '9900');
    await page.fill('#currency', 'USD');
    await page.fill('#seat_price', '1500');
    const charges = [
      { meter: 'ai_tokens', model: 'per_unit', unit_price: '0.0001', prices: [{ dimensions: { model: 'gpt-4o', token_type: 'output' }, unit_price: '0.001' }] },
      { meter: code, model: 'graduated', tiers: [{ up_to: 100, unit_price: '0' }, { up_to: null, unit_price: '20', flat_fee: '500' }], min_amount: 1000 },
    ];
    await page.fill('#charges', JSON.stringify(charges, null, 2));
    await Promise.all([page.waitForURL(/\/admin\/plans\/pln_/), page.click('[data-test=create-plan-submit]')]);
    expect(await page.locator('.flash.notice').innerText()).toContain(`Plan ${plan} created`);
    const planId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await text(page, 'seat-price')).toBe('15.00 USD / seat / month');
    const cards = page.locator('[data-test=charge]');
    expect(await cards.count()).toBe(2);
    expect(await cards.nth(0).locator('[data-test=dimension-prices] tbody tr').first().innerText()).toMatch(/model = gpt-4o, token_type = output\s+0\.001 minor units of USD \(= 0\.00001 USD\) per unit/);
    const tiers = await cards.nth(1).locator('[data-test=tiers] tbody tr').allInnerTexts();
    expect(tiers.map((t) => t.replace(/\s+/g, ' '))).toEqual(['100 units 0 minor units of USD (= 0.00 USD) —', 'and above 20 minor units of USD (= 0.20 USD) 500 minor units of USD (= 5.00 USD)']);
    expect(await cards.nth(1).innerText()).toContain('at least 10.00 USD');
    await rig.screenshot(page, 'plan-charges');

    // The charge's meter link opens the meter; archiving it is a button away.
    await Promise.all([page.waitForURL(new RegExp(`/admin/meters/${code}$`)), cards.nth(1).locator('[data-test=charge-meter]').click()]);
    await Promise.all([page.waitForURL(/notice=/), page.click('[data-test=archive-meter]')]);
    expect(await text(page, 'meter-status')).toBe('archived');
    expect(await page.locator('[data-test=archive-meter]').count()).toBe(0);

    // The built-in meter: badge, no archive button.
    await page.goto('/admin/meters/ai_tokens');
    expect(await page.locator('[data-test=meter] [data-test=built-in]').count()).toBe(1);
    expect(await page.locator('[data-test=archive-meter]').count()).toBe(0);

    const planPath = `/admin/plans/${planId}`;
    // At 375 px the list and the charges fit the screen.
    const narrow = await rig.newPage({ width: 375 });
    await rig.signIn(narrow, await rig.operator('viewer'));
    await narrow.goto('/admin/meters');
    expect(await overflow(narrow)).toBeLessThanOrEqual(0);
    expect(await narrow.locator('[data-test=create-meter]').count()).toBe(0);
    await rig.screenshot(narrow, 'meters-375');
    await narrow.goto(planPath);
    expect(await overflow(narrow)).toBeLessThanOrEqual(0);
    await rig.screenshot(narrow, 'plan-charges-375');
    expect(rig.consoleErrors).toEqual([]);
  });
});

import { describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import type { Page as ListPage } from '../../db/paging.ts';
import type { InvoiceResource } from '../../src/billing/contract.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { PlanResource } from '../../src/plans/contract.ts';
import type { SubscriptionResource } from '../../src/subscriptions/contract.ts';
import { customerInput } from '../harness.ts';
import { hasChromium, SKIP_REASON, useBrowserRig } from './harness.ts';

const rig = useBrowserRig();
const title = 'dashboard customers';

/** How far the page is wider than the window (0 or less: no horizontal scrolling of the page). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** What the lifecycle buttons on the page are, by their data-test names. */
const actionsShown = (page: Page) => page.locator('[data-test=lifecycle-actions] > form button, [data-test=lifecycle-actions] > details > summary').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.test));

/** Marks the loaded document; a reload or navigation loses the mark. */
const markDocument = (page: Page) => page.evaluate(() => void ((window as unknown as { keptAlive: boolean }).keptAlive = true));
const stillSameDocument = (page: Page) => page.evaluate(() => (window as unknown as { keptAlive?: boolean }).keptAlive === true);

async function onboardThroughApi(overrides: Record<string, unknown>) {
  const res = await rig.platform.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(overrides) });
  expect(res.status).toBe(201);
  return res.body;
}

describe.skipIf(!hasChromium)(hasChromium ? title : `${title} [${SKIP_REASON}]`, () => {
  test('an operator onboards a customer through the form, activates it with the only legal actions shown, and sees the welcome notification and the timeline update without reloading', async () => {
    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('operator'));
    await page.goto('/admin/customers');
    await Promise.all([page.waitForURL('**/admin/customers/new'), page.click('[data-test=onboard-link]')]);

    // A field the API's schema refuses comes back beside the field, with what was typed kept.
    const email = `form-${crypto.randomUUID().slice(0, 8)}@acme.example`;
    await page.fill('[data-test=field-name]', 'Formwerk GmbH');
    await page.fill('[data-test=field-email]', email);
    await page.selectOption('[data-test=field-kind]', 'institution');
    await page.fill('[data-test=field-country]', 'Germany');
    // The form's POST, awaited with its answer, so a failure says what the server answered (a CI run once timed out here).
    const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/admin/customers/new')), page.click('[data-test=onboard]')]);
    const shown = await page.locator('[data-test=error-country]').textContent({ timeout: 10_000 }).catch(async () => `no error shown; the POST answered ${answer.status()}, the page is ${page.url()}: ${(await page.locator('main').textContent())?.trim().slice(0, 300)}`);
    expect(shown).toContain('ISO 3166-1 alpha-2');
    expect(await page.inputValue('[data-test=field-email]')).toBe(email);
    await rig.screenshot(page, 'customer-new');

    // Notifications wait until the page is open, so what arrives later comes through the page's own refresh.
    await rig.platform.stopWorkers();
    await page.fill('[data-test=field-country]', 'de');
    await Promise.all([page.waitForURL(/\/admin\/customers\/cus_[0-9A-Z]{26}\?notice=/), page.click('[data-test=onboard]')]);
    await expect(page.locator('.flash.notice').textContent()).resolves.toContain('Onboarded Formwerk GmbH');
    await expect(page.locator('[data-test=customer-status]').textContent()).resolves.toContain('onboarded');
    expect(await actionsShown(page)).toEqual(['activate', 'erase-open']);
    await page.locator('[data-test=timeline-event][data-type="customer.onboarded"]').waitFor();
    expect(await page.locator('[data-test=notification]').count()).toBe(0);

    await markDocument(page);
    rig.platform.startWorkers();
    await page.locator('[data-test=notification][data-template=welcome]').waitFor({ timeout: 15_000 });
    await page.locator('[data-test=timeline-event][data-type="notification.sent"]').first().waitFor({ timeout: 15_000 });
    expect(await stillSameDocument(page)).toBe(true);

    await rig.platform.stopWorkers();
    await Promise.all([page.waitForURL(/notice=Activated/), page.click('[data-test=activate]')]);
    await expect(page.locator('.flash.notice').textContent()).resolves.toContain('Activated');
    await expect(page.locator('[data-test=customer-status]').textContent()).resolves.toContain('active');
    expect(await actionsShown(page)).toEqual(['promote', 'deactivate', 'erase-open']);
    await page.locator('[data-test=timeline-event][data-type="customer.activated"]').waitFor();

    await markDocument(page);
    rig.platform.startWorkers();
    await page.locator('[data-test=notification][data-template=activated]').waitFor({ timeout: 15_000 });
    await page.locator('[data-test=timeline-event][data-type="notification.sent"]').nth(1).waitFor({ timeout: 15_000 });
    expect(await stillSameDocument(page)).toBe(true);

    // The timeline is the customer's events in order.
    const types = await page.locator('[data-test=timeline-event]').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.type));
    expect(types.indexOf('customer.onboarded')).toBe(0);
    expect(types.indexOf('customer.activated')).toBeGreaterThan(types.indexOf('customer.onboarded'));
    expect(types.filter((t) => t === 'notification.sent').length).toBeGreaterThanOrEqual(2);
    await page.locator('[data-test=profile] dl').waitFor();

    // Its business shows in the panels: usage against the quota, the invoice, the payment's saga steps.
    const customerId = new URL(page.url()).pathname.split('/').at(-1)!;
    const plan = await rig.platform.call<PlanResource>('POST', '/v1/plans', { body: { code: `cp-${crypto.randomUUID().slice(0, 8)}`, name: 'Team', price_amount: 4900, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 100_000 } });
    const sub = await rig.platform.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customerId, plan_id: plan.body.id, trial: false } });
    expect(sub.status).toBe(201);
    const usage = await rig.platform.call('POST', '/v1/usage', { body: { records: [{ id: 'u-1', customer_id: customerId, model: 'gpt-x', tokens: 25_000, occurred_at: new Date(rig.platform.deps.clock.now()).toISOString() }] } });
    expect(usage.status).toBe(200);
    const [invoice] = (await rig.platform.call<ListPage<InvoiceResource>>('GET', `/v1/invoices?customer_id=${customerId}`)).body.data;
    expect((await rig.platform.call('POST', `/v1/invoices/${invoice!.id}/pay`, { body: { payment_method: 'tok_ok' } })).status).toBe(200);
    await page.goto(`/admin/customers/${customerId}`);
    await expect(page.locator('[data-test=usage]').textContent()).resolves.toContain('25,000 of 100,000 tokens');
    await expect(page.locator('[data-test=panel-invoices]').textContent()).resolves.toContain('paid');
    // The attempt made as it subscribed (no payment method on file yet) and the one that paid.
    expect(await page.locator('[data-test=payment]').count()).toBe(2);
    expect(await page.locator('[data-test=saga-step]').count()).toBeGreaterThan(1);
    await page.locator('[data-test=timeline-event][data-type="payment.succeeded"]').waitFor();
    await rig.screenshot(page, 'customer');

    const narrow = await rig.newPage({ width: 375 });
    await rig.signIn(narrow, await rig.operator('operator'));
    await narrow.goto(`/admin/customers/${customerId}`);
    await narrow.locator('[data-test=timeline-event]').first().waitFor();
    expect(await overflow(narrow)).toBeLessThanOrEqual(0);
    await rig.screenshot(narrow, 'customer-375');
    expect(rig.consoleErrors).toEqual([]);
  });

  test('the customers list searches, filters by status, segment and kind, and pages with the cursor', async () => {
    const tag = `Pagetest${crypto.randomUUID().slice(0, 6)}`;
    const created: CustomerResource[] = [];
    for (let i = 0; i < 23; i++) created.push(await onboardThroughApi({ name: `${tag} ${String(i).padStart(2, '0')}`, kind: i < 3 ? 'individual' : 'sme' }));
    for (const customer of created.slice(0, 2)) expect((await rig.platform.call('POST', `/v1/customers/${customer.id}/activate`)).status).toBe(200);

    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('operator'));
    await page.goto('/admin/customers');
    await page.fill('[data-test=filter-q]', tag);
    await Promise.all([page.waitForURL(/q=/), page.click('[data-test=apply-filters]')]);
    const names = () => page.locator('[data-test=customer-link]').allTextContents();
    const first = await names();
    expect(first).toHaveLength(20);
    expect(first[0]).toBe(`${tag} 22`); // newest first
    await Promise.all([page.waitForURL(/cursor=/), page.click('[data-test=next-page]')]);
    const second = await names();
    expect(second).toEqual([`${tag} 02`, `${tag} 01`, `${tag} 00`]);
    expect(await page.locator('[data-test=next-page]').count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('q')).toBe(tag);

    await page.goto(`/admin/customers?q=${tag}`);
    await page.selectOption('[data-test=filter-kind]', 'individual');
    await Promise.all([page.waitForURL(/kind=individual/), page.click('[data-test=apply-filters]')]);
    expect(await names()).toEqual([`${tag} 02`, `${tag} 01`, `${tag} 00`]);
    await page.selectOption('[data-test=filter-status]', 'active');
    await Promise.all([page.waitForURL(/status=active/), page.click('[data-test=apply-filters]')]);
    expect(await names()).toEqual([`${tag} 01`, `${tag} 00`]);
    await page.selectOption('[data-test=filter-segment]', 'gold');
    await Promise.all([page.waitForURL(/segment=gold/), page.click('[data-test=apply-filters]')]);
    expect(await names()).toEqual([]);
    await expect(page.locator('[data-test=customers-table]').textContent()).resolves.toContain('No customers match.');

    await page.goto(`/admin/customers?q=${tag}`);
    await Promise.all([page.waitForURL(/\/admin\/customers\/cus_/), page.locator('[data-test=customer-link]').first().click()]);
    await expect(page.locator('h1').textContent()).resolves.toBe(`${tag} 22`);

    await page.goto(`/admin/customers?q=${tag}`);
    await rig.screenshot(page, 'customers');
    const narrow = await rig.newPage({ width: 375 });
    await rig.signIn(narrow, await rig.operator('viewer'));
    await narrow.goto(`/admin/customers?q=${tag}`);
    expect(await overflow(narrow)).toBeLessThanOrEqual(0);
    await rig.screenshot(narrow, 'customers-375');
    expect(rig.consoleErrors).toEqual([]);
  });

  test('a viewer sees the customer page with no action buttons, and the server refuses a forged action', async () => {
    const customer = await onboardThroughApi({});
    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('viewer'));
    await page.goto('/admin/customers');
    expect(await page.locator('[data-test=onboard-link]').count()).toBe(0);
    await page.goto(`/admin/customers/${customer.id}`);
    await page.locator('[data-test=customer-facts]').waitFor();
    await page.locator('[data-test=timeline-event][data-type="customer.onboarded"]').waitFor();
    expect(await page.locator('main form, main button').count()).toBe(0);

    // With the session's own CSRF token and the right origin, only the role is missing: 403.
    const csrf = await page.locator('header input[name=_csrf]').inputValue();
    const forged = await page.request.post(`/admin/customers/${customer.id}/activate`, { form: { _csrf: csrf }, headers: { Origin: rig.url }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    const onboard = await page.request.post('/admin/customers/new', { form: { _csrf: csrf, ...customerInput() }, headers: { Origin: rig.url }, maxRedirects: 0 });
    expect(onboard.status()).toBe(403);
    expect((await rig.platform.call<CustomerResource>('GET', `/v1/customers/${customer.id}`)).body.status).toBe('onboarded');
    expect(rig.consoleErrors).toEqual([]);
  });
  test('the customer page shows the billing currency, a sandbox customer\'s test clock, the wallet and the entitlements with what is left', async () => {
    const api = async <T>(method: string, path: string, body?: unknown, status = 200) => {
      const res = await rig.platform.call<T>(method, path, body === undefined ? {} : { body });
      expect([path, res.status]).toEqual([path, status]);
      return res.body;
    };
    const clock = await api<{ id: string }>('POST', '/v1/test-clocks', { name: 'page check', frozen_time: '2026-01-01T00:00:00.000Z' }, 201);
    const customer = await onboardThroughApi({ test_clock_id: clock.id, payment_method: 'tok_ok' });
    const plan = await api<PlanResource>('POST', '/v1/plans', { code: `ent-${crypto.randomUUID().slice(0, 8)}`, name: 'Team', price_amount: 2900, currency: 'USD', interval: 'month', prices: { EUR: { price_amount: 2700 } }, entitlements: { exports: { type: 'metered', limit: 5 }, seats: { type: 'static', value: 10 } } }, 201);
    await api<SubscriptionResource>('POST', '/v1/subscriptions', { customer_id: customer.id, plan_id: plan.id, currency: 'EUR', trial: false }, 201);
    await api('POST', '/v1/entitlements/check', { customer_id: customer.id, feature: 'exports', consume: 2 });
    await api('POST', `/v1/customers/${customer.id}/wallet/grants`, { amount: 5000, currency: 'EUR', expires_at: '2026-06-30T00:00:00.000Z' }, 201);

    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('viewer'));
    await page.goto(`/admin/customers/${customer.id}`);
    expect(await page.locator('[data-test=customer-currency]').textContent()).toBe('EUR');
    expect(await page.locator('[data-test=customer-test-clock]').textContent()).toContain(clock.id);
    expect(await page.locator('[data-test=wallet-balance-EUR]').textContent()).toBe('50.00 EUR');
    expect(await page.locator('[data-test=wallet]').textContent()).toContain('50.00 EUR on 2026-06-30');
    const entitlements = await page.locator('[data-test=entitlements] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    expect(entitlements).toEqual([
      ['exports', 'metered', '2 of 5 used, 3 left', 'plan'],
      ['seats', 'static', '10', 'plan'],
    ]);
    await rig.screenshot(page, 'customer-billing');
    expect(rig.consoleErrors).toEqual([]);
  });
});

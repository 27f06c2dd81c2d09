import { describe, expect, test } from 'bun:test';
import type { Page as ApiPage } from '../../db/paging.ts';
import type { InvoiceResource } from '../../src/billing/contract.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { ConsumerList } from '../../src/events/contract.ts';
import type { PlanResource } from '../../src/plans/contract.ts';
import type { SubscriptionResource } from '../../src/subscriptions/contract.ts';
import { customerInput, eventually } from '../harness.ts';
import { hasChromium, SKIP_REASON, useBrowserRig } from './harness.ts';

// Billing passes every 50 ms, so a new subscription's invoice is paid within a moment.
const rig = useBrowserRig({ env: { BILLING_POLL_MS: '50', FIRST_PAYMENT_BONUS_BPS: '0' } });

/** Calls the API as an admin and insists on `status`. */
async function api<T>(method: string, path: string, body?: unknown, status = 200): Promise<T> {
  const res = await rig.platform.call<T>(method, path, body === undefined ? {} : { body });
  if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A customer paying by card on `planId`, returned once its first invoice is paid (by the billing worker). */
async function payingSubscription(planId: string, currency?: string) {
  const customer = await api<CustomerResource>('POST', '/v1/customers', customerInput({ payment_method: 'tok_ok' }), 201);
  const sub = await api<SubscriptionResource>('POST', '/v1/subscriptions', { customer_id: customer.id, plan_id: planId, trial: false, currency }, 201);
  await eventually(async () => (await api<SubscriptionResource>('GET', `/v1/subscriptions/${sub.id}`)).status === 'active', { timeoutMs: 30_000 });
  return sub;
}

/** The series of a data-chart script: every value that is a point. */
const pointsOf = (page: import('playwright-core').Page, test: string) =>
  page.locator(`[data-test=${test}] script[data-chart]`).evaluate((node) => (JSON.parse(node.textContent ?? '{}') as { series: { values: (number | null)[] }[] }).series.flatMap((s) => s.values).filter((v) => v !== null && v !== 0));

describe.skipIf(!hasChromium)(hasChromium ? 'dashboard home and consumers' : `dashboard home and consumers [${SKIP_REASON}]`, () => {
  test('the home page shows the KPIs set up through the API, charts with data, consumer lag, and refreshes itself without a reload', async () => {
    const plan = await api<PlanResource>('POST', '/v1/plans', { code: `home-${crypto.randomUUID().slice(0, 8)}`, name: 'Team', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0 }, 201);
    await payingSubscription(plan.id);
    await payingSubscription(plan.id);
    const paid = await api<ApiPage<InvoiceResource>>('GET', '/v1/invoices?status=paid&limit=100');
    expect(paid.data.map((i) => i.amount_paid)).toEqual([2900, 2900]);

    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('viewer'));
    expect(new URL(page.url()).pathname).toBe('/admin');
    await expect(page.locator('[data-test=mrr-EUR]').textContent()).resolves.toBe('58.00 EUR');
    await expect(page.locator('[data-test=movement-EUR]').textContent()).resolves.toBe('+58.00 EUR');
    await expect(page.locator('[data-test=collected-EUR]').textContent()).resolves.toBe('58.00 EUR');
    await expect(page.locator('[data-test=subscriptions-active]').textContent()).resolves.toBe('2');

    // Each chart is drawn by uPlot (a canvas after its data) and has points.
    for (const chart of ['chart-movement-EUR', 'chart-revenue-EUR', 'chart-events']) {
      await page.locator(`[data-test=${chart}] .uplot canvas`).waitFor();
      expect((await pointsOf(page, chart)).length).toBeGreaterThan(0);
    }
    expect(await pointsOf(page, 'chart-revenue-EUR')).toEqual([58]);

    // The running workers' consumer groups, with their lag and a link to their dead letters.
    await expect(page.locator('[data-test=dead-letters-notifications]').getAttribute('href')).resolves.toBe('/admin/dead-letters?group=notifications');
    await rig.screenshot(page, 'home');

    // A third customer subscribes; the page updates itself (htmx), the document is never reloaded.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await payingSubscription(plan.id);
    await page.locator('[data-test=mrr-EUR]', { hasText: '87.00 EUR' }).waitFor({ timeout: 40_000 });
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await page.locator('[data-test=chart-revenue-EUR] .uplot canvas').waitFor();
    expect(await pointsOf(page, 'chart-revenue-EUR')).toEqual([87]);
    expect(rig.consoleErrors).toEqual([]);
  }, 90_000);

  test('the home page works at 375 px wide', async () => {
    const page = await rig.newPage({ width: 375 });
    await rig.signIn(page, await rig.operator('operator'));
    await page.locator('[data-test=chart-revenue-EUR] .uplot canvas').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await rig.screenshot(page, 'home-375');
    expect(rig.consoleErrors).toEqual([]);
  });

  test('the consumers page lists the running workers\' groups with position, lag, dead letters and the outbox depth', async () => {
    const groups = (await api<ConsumerList>('GET', '/v1/consumers')).data.map((g) => g.group);
    expect(groups).toEqual(expect.arrayContaining(['customer-notifications', 'notifications', 'profiling', 'usage-ingest']));
    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('viewer'));
    await page.goto('/admin/consumers');
    await expect(page.locator('[data-test=consumer-group]').allTextContents()).resolves.toEqual([...groups].sort());
    for (const group of groups) {
      await expect(page.locator(`[data-test=dead-letters-${group}]`).getAttribute('href')).resolves.toBe(`/admin/dead-letters?group=${group}`);
    }
    // The relay keeps up: the outbox drains to nothing.
    await eventually(async () => {
      await page.reload();
      return (await page.locator('[data-test=outbox-depth]').textContent()) === '0';
    });
    await expect(page.locator('[data-test=outbox]').textContent()).resolves.toContain('the relay is up to date');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await rig.screenshot(page, 'consumers');
    expect(rig.consoleErrors).toEqual([]);
  });

  test('a customer billed in JPY on a plan priced in EUR and JPY shows as its own currency, whole yen, next to EUR', async () => {
    const plan = await api<PlanResource>('POST', '/v1/plans', { code: `home-jpy-${crypto.randomUUID().slice(0, 8)}`, name: 'Team', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, prices: { JPY: { price_amount: 4500 } } }, 201);
    await payingSubscription(plan.id, 'JPY');
    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('viewer'));
    await expect(page.locator('[data-test=mrr-JPY]').textContent()).resolves.toBe('4500 JPY');
    await expect(page.locator('[data-test=collected-JPY]').textContent()).resolves.toBe('4500 JPY');
    await expect(page.locator('[data-test=mrr-EUR]').textContent()).resolves.toBe('87.00 EUR');
    expect(rig.consoleErrors).toEqual([]);
  });
});

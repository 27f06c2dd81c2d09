import { describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { inbox } from '../../db/schema/index.ts';
import { startConsumer, type EventHandler } from '../../src/bus/consumer.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import { customerInput } from '../harness.ts';
import { hasChromium, SKIP_REASON, useBrowserRig } from './harness.ts';

// Billing passes every 200 ms, and invoices wait an hour as drafts, so finalizing is the operator's move.
const rig = useBrowserRig({ env: { BILLING_POLL_MS: '200', INVOICE_DRAFT_MINUTES: '60' } });

/** Reloads `page` until `probe` holds or the deadline passes: the page shows what the workers did meanwhile. */
async function reloadUntil(page: Page, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${page.url()} never showed what was expected`);
    await page.waitForTimeout(100);
    await page.reload();
  }
}

const text = (page: Page, test: string) => page.locator(`[data-test="${test}"]`).first().innerText();

/** Shared between the tests of this file, in order: what the operator's flow created. */
const made = { invoiceId: '', paymentId: '', planId: '' };

describe.skipIf(!hasChromium)(hasChromium ? 'dashboard: billing, events, operators' : `dashboard: billing, events, operators [${SKIP_REASON}]`, () => {
  test('an operator creates a plan, subscribes a customer, finalizes the invoice, pays it with a declining token and sees the failed step and the dunning date, voids it, and reads the event', async () => {
    const customer = (await rig.platform.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_decline' }) })).body;
    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('operator'));

    // A plan, through the create form.
    await page.goto('/admin/plans');
    const code = `pro-${crypto.randomUUID().slice(0, 6)}`;
    await page.fill('#code', code);
    await page.fill('#name', 'Pro');
    await page.fill('#price_amount', '4900');
    await page.fill('#features', 'SSO\nAudit export');
    await Promise.all([page.waitForURL(/\/admin\/plans\/pln_/), page.click('[data-test=create-plan-submit]')]);
    made.planId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await page.locator('.flash.notice').innerText()).toContain(`Plan ${code} created`);
    expect(await text(page, 'plan')).toContain('49.00 EUR / month');
    expect(await text(page, 'versions')).toContain('v1');
    await rig.screenshot(page, 'plan');
    await page.goto('/admin/plans');
    expect(await text(page, 'plans')).toContain(code);
    await rig.screenshot(page, 'plans');

    // A refused form comes back with the API's own message.
    await page.fill('#code', code);
    await page.fill('#name', 'Again');
    await page.fill('#price_amount', '100');
    await Promise.all([page.waitForURL(/error=/), page.click('[data-test=create-plan-submit]')]);
    expect(await page.locator('.flash.error').innerText()).toContain('already exists');

    // Subscribe the customer (no trial): its first invoice is drafted at once.
    await page.goto('/admin/subscriptions');
    await page.fill('#customer_id', customer.id);
    await page.selectOption('#plan_id', made.planId);
    await page.uncheck('input[name=trial]');
    await Promise.all([page.waitForURL(/\/admin\/subscriptions\/sub_/), page.click('[data-test=subscribe-submit]')]);
    expect(await text(page, 'subscription')).toContain('incomplete');
    const subscriptionPath = new URL(page.url()).pathname;
    await page.goto('/admin/subscriptions');
    expect(await text(page, 'subscriptions')).toContain(customer.id);
    await rig.screenshot(page, 'subscriptions');
    await page.goBack();

    // The invoice: a draft can be finalized or voided, not paid.
    await Promise.all([page.waitForURL(/\/admin\/invoices\/inv_/), page.click('[data-test=invoice-link]')]);
    made.invoiceId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await text(page, 'invoice-status')).toBe('draft');
    expect(await page.locator('[data-test=finalize]').count()).toBe(1);
    expect(await page.locator('[data-test=void]').count()).toBe(1);
    expect(await page.locator('[data-test=retry-payment]').count()).toBe(0);
    expect(await text(page, 'lines')).toContain('49.00 EUR');

    await Promise.all([page.waitForURL(/notice=/), page.click('[data-test=finalize]')]);
    expect(await page.locator('.flash.notice').innerText()).toMatch(/Finalized as INV-\d{6}/);
    expect(await text(page, 'invoice-status')).toBe('open');
    expect(await page.locator('[data-test=finalize]').count()).toBe(0);

    // The billing worker collects it with the declining card on file; dunning schedules the next attempt.
    await reloadUntil(page, async () => (await text(page, 'payments')).includes('failed'));
    expect(await text(page, 'payments')).toContain('card_declined');
    expect(await text(page, 'next-attempt')).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);

    // The operator pays it now with a declining token: the saga's failed step and the dunning date.
    await page.fill('[data-test=payment-method]', 'tok_insufficient_funds');
    await Promise.all([page.waitForURL(/\/admin\/payments\/pay_/), page.click('[data-test=retry-payment]')]);
    made.paymentId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await page.locator('.flash.error').innerText()).toContain('insufficient funds');
    expect(await text(page, 'payment-status')).toBe('failed');
    const steps = await page.locator('[data-test=steps] tbody tr').allInnerTexts();
    expect(steps[0]).toContain('initiated');
    expect(steps[1]).toMatch(/charge\s+failed/);
    expect(await text(page, 'failure')).toContain('insufficient_funds');
    expect(await text(page, 'dunning-date')).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    await rig.screenshot(page, 'payment');

    // Void: legal while open; afterwards no action is.
    await Promise.all([page.waitForURL(/\/admin\/invoices\/inv_/), page.click('[data-test=payment-invoice]')]);
    expect(await text(page, 'payments')).toContain('manual #1');
    await rig.screenshot(page, 'invoice');
    await Promise.all([page.waitForURL(/notice=/), page.click('[data-test=void]')]);
    expect(await text(page, 'invoice-status')).toBe('void');
    expect(await page.locator('[data-test=invoice-actions] button').count()).toBe(0);

    await page.goto('/admin/invoices?status=void');
    expect(await text(page, 'invoices')).toContain(customer.id);
    await page.goto('/admin/invoices');
    await rig.screenshot(page, 'invoices');

    // The stream: the invoice's events, each envelope as JSON.
    await page.goto('/admin/events');
    await page.selectOption('#f-type', 'invoice.finalized');
    await page.fill('#f-subject', made.invoiceId);
    await Promise.all([page.waitForURL(/type=invoice.finalized/), page.click('[data-test=apply-filters]')]);
    const envelopes = page.locator('[data-test=envelope]');
    expect(await envelopes.count()).toBe(1);
    const envelope = JSON.parse(await envelopes.first().innerText()) as { specversion: string; type: string; subject: string; data: { invoice: { status: string } } };
    expect(envelope).toMatchObject({ specversion: '1.0', type: 'invoice.finalized', subject: made.invoiceId, data: { invoice: { status: 'open' } } });
    await rig.screenshot(page, 'events');

    const narrow = await rig.newPage({ width: 375 });
    await rig.signIn(narrow, await rig.operator('operator'));
    for (const path of ['/admin/invoices', `/admin/invoices/${made.invoiceId}`, `/admin/payments/${made.paymentId}`, '/admin/plans', `/admin/plans/${made.planId}`, '/admin/subscriptions', subscriptionPath, '/admin/events', '/admin/dead-letters']) {
      await narrow.goto(path);
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
    }
    await narrow.goto('/admin/invoices');
    await rig.screenshot(narrow, 'invoices-375');
    expect(rig.consoleErrors).toEqual([]);
  });

  test('an operator replays a dead letter and sees it marked replayed; the group handles it once', async () => {
    let failing = true;
    const handler: EventHandler = {
      group: 'browser-flaky',
      types: ['customer.onboarded'],
      async handle() {
        if (failing) throw new Error('the template service is down');
      },
    };
    const sub = startConsumer(rig.platform.deps, handler, { attempts: 1 });
    try {
      await rig.platform.call('POST', '/v1/customers', { body: customerInput() });
      const page = await rig.newPage();
      await rig.signIn(page, await rig.operator('operator'));
      await page.goto('/admin/dead-letters?group=browser-flaky');
      await reloadUntil(page, async () => (await page.locator('[data-test=dead-letter]').count()) > 0);
      const parked = page.locator('[data-test=dead-letter]').first();
      expect(await parked.locator('[data-test=reason]').innerText()).toContain('the template service is down');
      expect(await parked.locator('[data-test=dead-letter-state]').innerText()).toContain('waiting');
      const event = JSON.parse(await parked.locator('[data-test=dead-letter-event]').textContent() ?? '') as { id: string; type: string };
      expect(event.type).toBe('customer.onboarded');

      failing = false;
      await Promise.all([page.waitForURL(/notice=/), parked.locator('[data-test=replay]').click()]);
      const replayed = page.locator('[data-test=dead-letter]').first();
      expect(await replayed.locator('[data-test=dead-letter-state]').innerText()).toContain('replayed');
      expect(await replayed.locator('[data-test=replay]').count()).toBe(0);
      await rig.screenshot(page, 'dead-letters');

      const handled = async () => (await rig.platform.deps.db.select().from(inbox).where(and(eq(inbox.consumer, 'browser-flaky'), eq(inbox.eventId, event.id)))).length;
      const deadline = Date.now() + 10_000;
      while ((await handled()) === 0 && Date.now() < deadline) await page.waitForTimeout(50);
      expect(await handled()).toBe(1);
    } finally {
      await sub.stop();
    }
    expect(rig.consoleErrors).toEqual([]);
  });

  test('a viewer sees no write buttons, and a forged form post with its session and CSRF token answers 403', async () => {
    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('viewer'));
    for (const path of ['/admin/plans', `/admin/plans/${made.planId}`, '/admin/subscriptions', '/admin/invoices', `/admin/invoices/${made.invoiceId}`, `/admin/payments/${made.paymentId}`, '/admin/events', '/admin/dead-letters']) {
      const res = await page.goto(path);
      expect({ path, status: res?.status() }).toEqual({ path, status: 200 });
      expect({ path, forms: await page.locator('main form[method=post]').count() }).toEqual({ path, forms: 0 });
    }
    expect(await page.locator('nav.side a[href="/admin/operators"]').count()).toBe(0);
    // Asked for outside the page, so the refusal is not a console error of a page load.
    expect((await page.request.get('/admin/operators')).status()).toBe(403);
    expect((await page.request.get('/admin/audit')).status()).toBe(403);

    // The logout form carries the session's CSRF token: everything a forged post could have.
    await page.goto('/admin/plans');
    const csrf = await page.locator('header form input[name=_csrf]').inputValue();
    expect(csrf.length).toBeGreaterThan(10);
    for (const [path, form] of [
      ['/admin/plans', { code: 'forged', name: 'Forged', price_amount: '1', currency: 'EUR', interval: 'month' }],
      [`/admin/invoices/${made.invoiceId}/void`, {}],
      [`/admin/invoices/${made.invoiceId}/pay`, { payment_method: 'tok_ok' }],
      ['/admin/dead-letters/dlq_00000000000000000000000000/replay', {}],
    ] as const) {
      const res = await page.request.post(path, { form: { _csrf: csrf, ...form }, headers: { Origin: rig.url }, maxRedirects: 0 });
      expect({ path, status: res.status() }).toEqual({ path, status: 403 });
      expect(await res.text()).toContain('viewers have read-only access');
    }
    expect((await rig.platform.call<{ data: unknown[] }>('GET', '/v1/plans?code=forged')).body.data).toEqual([]);
    expect(rig.consoleErrors).toEqual([]);
  });

  test('an admin sees Operators (an operator does not), creates one, changes its role, disables it, and reads the audit log', async () => {
    const operatorPage = await rig.newPage();
    await rig.signIn(operatorPage, await rig.operator('operator'));
    expect(await operatorPage.locator('nav.side a[href="/admin/operators"]').count()).toBe(0);
    expect((await operatorPage.request.get('/admin/operators')).status()).toBe(403);

    const page = await rig.newPage();
    await rig.signIn(page, await rig.operator('admin'));
    await Promise.all([page.waitForURL(/\/admin\/operators/), page.click('nav.side a[href="/admin/operators"]')]);
    const email = `new-${crypto.randomUUID().slice(0, 6)}@ops.example`;
    await page.fill('#op-email', email);
    await page.fill('#op-name', 'New Person');
    await page.selectOption('#op-role', 'viewer');
    await page.fill('#op-password', 'short');
    await Promise.all([page.waitForURL(/error=/), page.click('[data-test=create-operator-submit]')]);
    expect(await page.locator('.flash.error').innerText()).toContain('password');
    await page.fill('#op-email', email);
    await page.fill('#op-name', 'New Person');
    await page.fill('#op-password', 'a-long-enough-password-for-them');
    await Promise.all([page.waitForURL(/notice=/), page.click('[data-test=create-operator-submit]')]);
    const row = () => page.locator('[data-test=operators] tr', { has: page.locator(`text=${email}`) });
    expect(await row().innerText()).toContain('active');

    await row().locator('select[name=role]').selectOption('operator');
    await Promise.all([page.waitForURL(/notice=/), row().locator('[data-test=change-role]').click()]);
    expect(await page.locator('.flash.notice').innerText()).toContain(`${email}: operator`);
    expect(await row().locator('select[name=role]').inputValue()).toBe('operator');
    await Promise.all([page.waitForURL(/notice=/), row().locator('[data-test=disable]').click()]);
    expect(await row().innerText()).toContain('disabled');
    await rig.screenshot(page, 'operators');

    await page.goto('/admin/audit');
    await page.fill('#f-action', 'invoice.void');
    await Promise.all([page.waitForURL(/action=invoice.void/), page.click('[data-test=apply-filters]')]);
    const actions = await page.locator('[data-test=audit-action]').allInnerTexts();
    expect(actions).toEqual(['invoice.void']);
    expect(await text(page, 'audit')).toContain(made.invoiceId);
    await page.goto('/admin/audit');
    expect(await page.locator('[data-test=audit-action]').allInnerTexts()).toEqual(expect.arrayContaining(['operator.update', 'operator.create', 'dead_letter.replay', 'invoice.finalize', 'plan.create']));
    await rig.screenshot(page, 'audit');
    expect(rig.consoleErrors).toEqual([]);
  });
});

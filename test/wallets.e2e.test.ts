import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { PaymentResource } from '../src/payments/contract.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import type { WalletEntryResource, WalletResource } from '../src/wallets/contract.ts';
import { billingFixtures, expectEveryChargeSettled } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * Prepaid wallets on a manual clock, through the billing worker's pass and the
 * sandbox payment provider. Every figure is computed by hand in the comments.
 */
const START = Date.UTC(2026, 5, 1); // Jun 1; Jun has 30 days, so the first renewal is Jul 1
const iso = (ms: number) => new Date(ms).toISOString();
const clock = manualClock(START);
const sandbox = createSandboxProvider();
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

type TopUp = { object: 'wallet_top_up'; invoice: InvoiceResource; payment: PaymentResource };

const wallet = (customerId: string) => f.ok<WalletResource>('GET', `/v1/customers/${customerId}/wallet`);
const entries = async (customerId: string) => (await f.ok<Page<WalletEntryResource>>('GET', `/v1/customers/${customerId}/wallet/entries?limit=100`)).data.reverse();
const grant = (customerId: string, body: Record<string, unknown>) => f.ok<WalletEntryResource>('POST', `/v1/customers/${customerId}/wallet/grants`, { currency: 'EUR', ...body }, 201);
const figures = (i: InvoiceResource) => ({ reason: i.billing_reason, subtotal: i.subtotal, tax: i.tax, total: i.total, credit: i.credit_applied, wallet: i.wallet_applied, due: i.amount_due, paid: i.amount_paid, status: i.status });
const paymentsOf = async (invoiceId: string) => (await f.ok<Page<PaymentResource>>('GET', `/v1/invoices/${invoiceId}/payments`)).data;

beforeAll(async () => {
  clock.set(START);
  p = await createTestPlatform({ build: { clock, payments: sandbox } });
  f = billingFixtures(p);
});
afterAll(async () => {
  await expectEveryChargeSettled(p, await sandbox.ledger());
  await p.close();
});

describe('prepaid wallets', () => {
  test('a grant that expires is spent first, then what is left of it expires exactly; invoices are paid wholly, then partly, by the wallet', async () => {
    clock.set(START);
    // 29.00 EUR a month, 19 % tax: 2900 + round(551.0) = 3451 per invoice.
    const plan = await f.plan({ price_amount: 2900 });
    const customer = await f.customer({ tax_rate_bps: 1900, payment_method: 'tok_ok' });
    // Never-expiring 1000 first, then 5000 expiring Jun 11: draws take the expiring one first.
    const lasting = await grant(customer.id, { amount: 1000, description: 'Goodwill' });
    const expiring = await grant(customer.id, { amount: 5000, expires_at: iso(START + 10 * DAY_MS), description: 'Launch credit' });
    expect(expiring).toMatchObject({ kind: 'grant', amount: 5000, remaining: 5000, expires_at: iso(START + 10 * DAY_MS) });

    // Jun 1: the first invoice, 3451, is paid wholly from the expiring grant (5000 → 1549 left): no payment attempt.
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
    const [first] = await f.invoices(`subscription_id=${sub.id}`);
    expect(figures(first!)).toEqual({ reason: 'subscription_create', subtotal: 2900, tax: 551, total: 3451, credit: 0, wallet: 3451, due: 0, paid: 0, status: 'paid' });
    expect(await paymentsOf(first!.id)).toEqual([]);
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active' });
    expect(await wallet(customer.id)).toMatchObject({
      balances: [{ currency: 'EUR', balance: 2549, expiring: [{ entry_id: expiring.id, remaining: 1549, expires_at: iso(START + 10 * DAY_MS) }] }],
    });

    // Jun 10, a minute before the expiry: nothing expires.
    clock.set(START + 10 * DAY_MS - 60_000);
    expect(await f.cycle()).toMatchObject({ expired: 0, errors: 0 });
    // Jun 11: what is left of the grant, 1549, expires; the lasting 1000 stays.
    clock.set(START + 10 * DAY_MS);
    expect(await f.cycle()).toMatchObject({ expired: 1, errors: 0 });
    expect(await f.cycle()).toMatchObject({ expired: 0 }); // once
    expect((await wallet(customer.id)).balances).toEqual([{ currency: 'EUR', balance: 1000, auto_top_up: { enabled: false, threshold: 0, amount: 0 }, expiring: [] }]);

    // Jul 1: the renewal, 3451, takes the 1000 left and charges the card 2451.
    clock.set(START + 30 * DAY_MS);
    expect(await f.cycle()).toMatchObject({ advanced: 1, attempted: 1, errors: 0 });
    const [, second] = await f.invoices(`subscription_id=${sub.id}`);
    expect(figures(second!)).toEqual({ reason: 'subscription_cycle', subtotal: 2900, tax: 551, total: 3451, credit: 0, wallet: 1000, due: 2451, paid: 2451, status: 'paid' });
    expect((await paymentsOf(second!.id)).map((x) => ({ amount: x.amount, status: x.status }))).toEqual([{ amount: 2451, status: 'succeeded' }]);

    // The ledger: Σ = 0, each entry to the minor unit.
    const ledger = await entries(customer.id);
    expect(ledger.map((e) => ({ kind: e.kind, amount: e.amount, remaining: e.remaining, invoice: e.invoice_id, source: e.source_id }))).toEqual([
      { kind: 'grant', amount: 1000, remaining: 0, invoice: null, source: null },
      { kind: 'grant', amount: 5000, remaining: 0, invoice: null, source: null },
      { kind: 'invoice_drawn', amount: -3451, remaining: null, invoice: first!.id, source: null },
      { kind: 'expired', amount: -1549, remaining: null, invoice: null, source: expiring.id },
      { kind: 'invoice_drawn', amount: -1000, remaining: null, invoice: second!.id, source: null },
    ]);
    expect(ledger[0]!.id).toBe(lasting.id);
    expect((await wallet(customer.id)).balances[0]!.balance).toBe(0);

    const expiredEvents = (await f.eventTypes('wallet.credit_expired')).filter((e) => e.data.customer_id === customer.id);
    expect(expiredEvents.map((e) => e.data)).toEqual([{ customer_id: customer.id, entry_id: ledger[3]!.id, grant_id: expiring.id, amount: { amount: 1549, currency: 'EUR' }, balance: { amount: 1000, currency: 'EUR' } }]);
    const debited = (await f.eventTypes('wallet.debited')).filter((e) => e.data.customer_id === customer.id).map((e) => [e.data.amount.amount, e.data.balance.amount]);
    expect(debited.sort()).toEqual([[1000, 0], [3451, 2549]].sort());
  });

  test('a top-up is an invoice paid through the saga, and credits the wallet only when paid; a declined one credits nothing', async () => {
    clock.set(START);
    const payer = await f.customer({ tax_rate_bps: 1900, payment_method: 'tok_ok' });
    const send = () => p.call<TopUp>('POST', `/v1/customers/${payer.id}/wallet/top-ups`, { body: { amount: 10_000, currency: 'EUR' }, headers: { 'Idempotency-Key': `top-up-${payer.id}` } });
    const first = await send();
    expect(first.status).toBe(201);
    const paid = first.body;
    // A retry with the same key replays the answer: one invoice, one charge.
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotency-Replayed')).toBe('true');
    expect(retry.body.invoice.id).toBe(paid.invoice.id);
    expect((await sandbox.ledger()).filter((c) => c.key === paid.payment.id)).toHaveLength(1);
    // No tax on a top-up, whatever the customer's rate.
    expect(figures(paid.invoice)).toEqual({ reason: 'wallet_top_up', subtotal: 10_000, tax: 0, total: 10_000, credit: 0, wallet: 0, due: 10_000, paid: 10_000, status: 'paid' });
    expect(paid.invoice).toMatchObject({ subscription_id: null, number: expect.stringMatching(/^INV-\d{6}$/), lines: [{ kind: 'wallet_top_up', amount: 10_000, quantity: 1 }] });
    expect(paid.payment).toMatchObject({ status: 'succeeded', amount: 10_000 });
    expect((await wallet(payer.id)).balances).toMatchObject([{ currency: 'EUR', balance: 10_000 }]);
    expect((await entries(payer.id)).map((e) => [e.kind, e.amount, e.invoice_id])).toEqual([['top_up', 10_000, paid.invoice.id]]);

    const decliner = await f.customer({ payment_method: 'tok_decline' });
    const declined = await f.ok<TopUp>('POST', `/v1/customers/${decliner.id}/wallet/top-ups`, { amount: 5000, currency: 'EUR' }, 201);
    expect(declined.payment).toMatchObject({ status: 'failed', amount: 5000 });
    expect(figures(declined.invoice)).toEqual({ reason: 'wallet_top_up', subtotal: 5000, tax: 0, total: 5000, credit: 0, wallet: 0, due: 5000, paid: 0, status: 'open' });
    // Dunning retries it on day 1 and fails again: still nothing in the wallet.
    clock.set(START + DAY_MS);
    expect(await f.cycle()).toMatchObject({ errors: 0 });
    expect(await paymentsOf(declined.invoice.id)).toHaveLength(2);
    expect((await wallet(decliner.id)).balances).toMatchObject([{ currency: 'EUR', balance: 0 }]);
    expect(await entries(decliner.id)).toEqual([]);

    // A customer billed in EUR cannot fund a USD wallet.
    const plan = await f.plan({ price_amount: 1000 });
    await f.subscribe({ customer_id: payer.id, plan_id: plan.id });
    const usd = await p.call<Problem>('POST', `/v1/customers/${payer.id}/wallet/top-ups`, { body: { amount: 100, currency: 'USD' } });
    expect(usd.status).toBe(400);
    expect(JSON.stringify(usd.body)).toContain('currency');
  });

  test('auto top-up starts once when a draw leaves the balance under the threshold, and is collected by the billing pass', async () => {
    clock.set(START);
    const customer = await f.customer({ payment_method: 'tok_ok' });
    await f.ok('PATCH', `/v1/customers/${customer.id}`, { max_subscriptions: 2 });
    await grant(customer.id, { amount: 3000 });
    const settings = await f.ok<WalletResource>('PUT', `/v1/customers/${customer.id}/wallet/auto-top-up`, { enabled: true, threshold: 1000, amount: 5000, currency: 'EUR' });
    expect(settings.balances).toMatchObject([{ balance: 3000, auto_top_up: { enabled: true, threshold: 1000, amount: 5000 } }]);

    // 2900 from the wallet leaves 100 < 1000: a top-up of 5000 starts.
    const big = await f.subscribe({ customer_id: customer.id, plan_id: (await f.plan({ price_amount: 2900 })).id });
    // 500 more: the wallet's last 100, 400 charged as it subscribes; the balance is 0, still low, but a top-up is in flight: no second one.
    const small = await f.subscribe({ customer_id: customer.id, plan_id: (await f.plan({ price_amount: 500 })).id });
    const [bigInvoice] = await f.invoices(`subscription_id=${big.id}`);
    const [smallInvoice] = await f.invoices(`subscription_id=${small.id}`);
    expect(figures(bigInvoice!)).toEqual({ reason: 'subscription_create', subtotal: 2900, tax: 0, total: 2900, credit: 0, wallet: 2900, due: 0, paid: 0, status: 'paid' });
    expect(figures(smallInvoice!)).toEqual({ reason: 'subscription_create', subtotal: 500, tax: 0, total: 500, credit: 0, wallet: 100, due: 400, paid: 400, status: 'paid' });
    const started = (await f.eventTypes('wallet.auto_top_up_started')).filter((e) => e.data.customer_id === customer.id);
    expect(started.map((e) => e.data)).toEqual([
      { customer_id: customer.id, invoice_id: expect.any(String), amount: { amount: 5000, currency: 'EUR' }, balance: { amount: 100, currency: 'EUR' }, threshold: { amount: 1000, currency: 'EUR' } },
    ]);

    // The pass collects the open top-up of 5000, which credits the wallet.
    expect(await f.cycle()).toMatchObject({ attempted: 1, errors: 0 });
    const all = await f.invoices(`customer_id=${customer.id}`);
    expect(all.map(figures)).toEqual([
      { reason: 'subscription_create', subtotal: 2900, tax: 0, total: 2900, credit: 0, wallet: 2900, due: 0, paid: 0, status: 'paid' },
      { reason: 'wallet_top_up', subtotal: 5000, tax: 0, total: 5000, credit: 0, wallet: 0, due: 5000, paid: 5000, status: 'paid' },
      { reason: 'subscription_create', subtotal: 500, tax: 0, total: 500, credit: 0, wallet: 100, due: 400, paid: 400, status: 'paid' },
    ]);
    expect(all[1]!.id).toBe(started[0]!.data.invoice_id);
    expect((await wallet(customer.id)).balances).toMatchObject([{ balance: 5000 }]);
    expect((await entries(customer.id)).map((e) => [e.kind, e.amount])).toEqual([
      ['grant', 3000],
      ['invoice_drawn', -2900],
      ['invoice_drawn', -100],
      ['top_up', 5000],
    ]);
  });

  test('an expiry that leaves the balance low starts an auto top-up, collected in the same pass', async () => {
    clock.set(START);
    const customer = await f.customer({ payment_method: 'tok_ok' });
    await grant(customer.id, { amount: 2000, expires_at: iso(START + 5 * DAY_MS) });
    await grant(customer.id, { amount: 300 });
    // 2300 ≥ 500: saving the settings starts nothing.
    await f.ok('PUT', `/v1/customers/${customer.id}/wallet/auto-top-up`, { enabled: true, threshold: 500, amount: 1500, currency: 'EUR' });
    expect(await f.invoices(`customer_id=${customer.id}`)).toEqual([]);

    // Jun 6: 2000 expire, 300 < 500 left: a 1500 top-up starts and the same pass collects it.
    clock.set(START + 5 * DAY_MS);
    expect(await f.cycle()).toMatchObject({ expired: 1, errors: 0 });
    const [topUp] = await f.invoices(`customer_id=${customer.id}`);
    expect(figures(topUp!)).toEqual({ reason: 'wallet_top_up', subtotal: 1500, tax: 0, total: 1500, credit: 0, wallet: 0, due: 1500, paid: 1500, status: 'paid' });
    expect((await entries(customer.id)).map((e) => [e.kind, e.amount])).toEqual([
      ['grant', 2000],
      ['grant', 300],
      ['expired', -2000],
      ['top_up', 1500],
    ]);
    expect((await wallet(customer.id)).balances).toMatchObject([{ balance: 1800 }]);

    // Raising the threshold over the balance starts one at once.
    const raised = await f.ok<WalletResource>('PUT', `/v1/customers/${customer.id}/wallet/auto-top-up`, { enabled: true, threshold: 2000, amount: 1500, currency: 'EUR' });
    expect(raised.balances).toMatchObject([{ balance: 1800, auto_top_up: { enabled: true, threshold: 2000, amount: 1500 } }]);
    expect((await f.invoices(`customer_id=${customer.id}`)).map((i) => [i.billing_reason, i.total, i.status])).toEqual([
      ['wallet_top_up', 1500, 'paid'],
      ['wallet_top_up', 1500, 'open'],
    ]);
  });

  test('voiding an invoice gives its draw back to the grants it came from, which still expire on time', async () => {
    clock.set(START);
    const customer = await f.customer({});
    const expiresAt = START + 20 * DAY_MS;
    const credit = await grant(customer.id, { amount: 1000, expires_at: iso(expiresAt) });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: (await f.plan({ price_amount: 2900 })).id });
    const [invoice] = await f.invoices(`subscription_id=${sub.id}`);
    expect(figures(invoice!)).toEqual({ reason: 'subscription_create', subtotal: 2900, tax: 0, total: 2900, credit: 0, wallet: 1000, due: 1900, paid: 0, status: 'open' });
    expect((await wallet(customer.id)).balances).toMatchObject([{ balance: 0, expiring: [] }]);

    const voided = await f.ok<InvoiceResource>('POST', `/v1/invoices/${invoice!.id}/void`, {});
    expect(voided).toMatchObject({ status: 'void', wallet_applied: 1000 });
    expect((await wallet(customer.id)).balances).toMatchObject([{ balance: 1000, expiring: [{ entry_id: credit.id, remaining: 1000, expires_at: iso(expiresAt) }] }]);

    clock.set(expiresAt);
    expect(await f.cycle()).toMatchObject({ expired: 1, errors: 0 });
    expect((await entries(customer.id)).map((e) => [e.kind, e.amount, e.remaining])).toEqual([
      ['grant', 1000, 0],
      ['invoice_drawn', -1000, null],
      ['invoice_voided', 1000, 0],
      ['expired', -1000, null],
    ]);
    expect((await wallet(customer.id)).balances).toMatchObject([{ balance: 0 }]);
  });

  test('grants are for operators: validated field by field, audited; a tenant key cannot grant', async () => {
    const customer = await f.customer({});
    const bad = await p.call<Problem & { errors?: { field: string }[] }>('POST', `/v1/customers/${customer.id}/wallet/grants`, { body: { amount: 12.5, currency: 'eur', expires_at: 'soon' } });
    expect(bad.status).toBe(400);
    expect((bad.body.errors ?? []).map((i) => i.field).sort()).toEqual(['amount', 'currency', 'expires_at']);
    const past = await p.call<Problem>('POST', `/v1/customers/${customer.id}/wallet/grants`, { body: { amount: 100, currency: 'EUR', expires_at: iso(clock.now() - 1) } });
    expect(past.status).toBe(400);
    const made = await grant(customer.id, { amount: 100 });
    const audit = await f.ok<Page<{ action: string; target_id: string }>>('GET', `/v1/audit?target_id=${customer.id}&limit=100`);
    expect(audit.data.map((a) => a.action)).toContain('wallet.grant');
    const key = await f.ok<{ key: string }>('POST', '/v1/api-keys', { name: 'tenant', scopes: ['wallet:read', 'wallet:write'], customer_id: customer.id }, 201);
    expect((await p.call('POST', `/v1/customers/${customer.id}/wallet/grants`, { token: key.key, body: { amount: 100, currency: 'EUR' } })).status).toBe(404);
    expect((await p.call<Page<WalletEntryResource>>('GET', `/v1/customers/${customer.id}/wallet/entries`, { token: key.key })).body.data.map((e) => e.id)).toEqual([made.id]);
  });
});

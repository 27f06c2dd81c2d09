import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { forEachBus } from './kafka-env.ts';
import { advanceSubscription } from '../src/billing/renewal.ts';
import { withTransaction } from '../src/kernel/context.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { ChargeRequest, PaymentProvider } from '../src/payments/provider.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { billingFixtures, expectEveryChargeSettled } from './billing-fixtures.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';
import type { CreditBalanceResource } from '../src/billing/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { PaymentResource } from '../src/payments/contract.ts';

const START = Date.UTC(2026, 5, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const clock = manualClock(START);
let sandbox = createSandboxProvider();

/**
 * The sandbox behind a switchable hook, as a real processor sits behind the port:
 * `during` runs while a charge is in flight (an operator acting at that moment),
 * `lostAnswer` makes the connection drop after the provider charged.
 */
let during: ((request: ChargeRequest) => Promise<void>) | null = null;
let lostAnswer = false;
const provider: PaymentProvider = {
  name: 'sandbox',
  async charge(request) {
    const result = await sandbox.charge(request);
    if (during) await during(request);
    if (lostAnswer) throw new Error('connection reset by peer');
    return result;
  },
  refund: (request) => sandbox.refund(request),
};

let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
/**
 * A customer on a plan without trial: its first invoice is finalized as it is drafted
 * (no review window, INVOICE_DRAFT_MINUTES=0) and its first automatic attempt runs as it
 * subscribes (collect on commit), through the hooked provider.
 */
async function openInvoice(paymentMethod: string | null, price = 5000) {
  clock.set(START);
  const plan = await f.plan({ price_amount: price });
  const customer = await f.customer(paymentMethod ? { payment_method: paymentMethod } : {});
  const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
  const invoice = (await f.invoices(`subscription_id=${sub.id}`))[0]!;
  expect(invoice).toMatchObject({ billing_reason: 'subscription_create', total: price, number: expect.stringMatching(/^INV-\d{6}$/) });
  return { customer, sub, invoiceId: invoice.id };
}

forEachBus('payments', (bus) => {
  beforeAll(async () => {
    clock.set(START);
    sandbox = createSandboxProvider();
    during = null;
    lostAnswer = false;
    p = await createTestPlatform({ build: { clock, payments: provider }, env: { ...bus.env(), PAYMENT_LEASE_MS: '60000' } });
    f = billingFixtures(p);
  });
  afterAll(async () => {
    // No path of this file left money taken without the invoice paid or the charge refunded.
    await expectEveryChargeSettled(p, await sandbox.ledger());
    await p.close();
  });

  describe('dunning', () => {
    test('a declined renewal makes the subscription past_due; after the retries on days 1, 3 and 5 it is canceled and the invoice uncollectible', async () => {
      clock.set(START);
      const plan = await f.plan({ trial_days: 7 });
      const customer = await f.customer({ payment_method: 'tok_insufficient_funds' });
      const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
      const trialEnd = START + 7 * DAY_MS;
      clock.set(trialEnd);
      // The renewal finalized the invoice as it drafted it: the pass has no draft left to finalize.
      expect(await f.cycle()).toMatchObject({ advanced: 1, finalized: 0, attempted: 1, errors: 0 });
      expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'past_due' });
      const invoice = (await f.invoices(`subscription_id=${sub.id}`))[0]!;
      expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, next_attempt_at: iso(trialEnd + DAY_MS) });

      for (const day of [1, 3]) {
        clock.set(trialEnd + day * DAY_MS);
        expect(await f.cycle()).toMatchObject({ attempted: 1 });
        expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'past_due' });
      }
      clock.set(trialEnd + 5 * DAY_MS);
      expect(await f.cycle()).toMatchObject({ attempted: 1 });
      expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'canceled', canceled_at: iso(trialEnd + 5 * DAY_MS) });
      expect(await f.ok('GET', `/v1/invoices/${invoice.id}`)).toMatchObject({ status: 'uncollectible', attempt_count: 4, next_attempt_at: null, amount_paid: 0 });

      const failed = (await f.eventTypes('payment.failed')).filter((e) => e.data.payment.invoice_id === invoice.id);
      expect(failed.map((e) => [e.data.payment.failure_code, e.data.next_attempt_at, e.data.final])).toEqual([
        ['insufficient_funds', iso(trialEnd + DAY_MS), false],
        ['insufficient_funds', iso(trialEnd + 3 * DAY_MS), false],
        ['insufficient_funds', iso(trialEnd + 5 * DAY_MS), false],
        ['insufficient_funds', null, true],
      ]);
      const types = (await f.eventsOf(sub.id)).map((e) => e.type);
      expect(types.slice(-4)).toEqual(['subscription.trial_ended', 'subscription.past_due', 'subscription.canceled', 'subscription.ended']);
      expect((await f.eventsOf(sub.id)).find((e) => e.type === 'subscription.canceled')!.data).toMatchObject({ reason: 'dunning_exhausted', previous_status: 'past_due' });
      // Nothing more is attempted.
      clock.set(trialEnd + 30 * DAY_MS);
      expect(await f.cycle()).toMatchObject({ attempted: 0, advanced: 0 });
    });

    test('without a payment method on file the attempt fails without calling the provider, and dunning runs as for a decline', async () => {
      const before = (await sandbox.ledger()).length;
      const { sub, invoiceId } = await openInvoice(null);
      // The first attempt ran as it subscribed: the pass has nothing due.
      expect(sub.status).toBe('incomplete');
      expect(await f.cycle()).toMatchObject({ finalized: 0, attempted: 0 });
      const payment = (await f.ok<Page<PaymentResource>>('GET', `/v1/invoices/${invoiceId}/payments`)).data[0]!;
      expect(payment).toMatchObject({ status: 'failed', failure_code: 'no_payment_method' });
      expect(payment.steps.map((s) => `${s.name}:${s.outcome}`)).toEqual(['initiated:succeeded', 'charge:skipped']);
      expect(await f.ok('GET', `/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'open', next_attempt_at: iso(START + DAY_MS) });
      expect(await sandbox.ledger()).toHaveLength(before);
    });
  });

  describe('timeouts', () => {
    test('a charge that timed out before charging fails the attempt; nothing is taken', async () => {
      const { invoiceId } = await openInvoice('tok_timeout');
      await f.cycle();
      const payment = (await f.ok<Page<PaymentResource>>('GET', `/v1/invoices/${invoiceId}/payments`)).data[0]!;
      expect(payment).toMatchObject({ status: 'failed', failure_code: 'timeout' });
      expect(payment.steps.map((s) => `${s.name}:${s.outcome}`)).toEqual(['initiated:succeeded', 'charge:failed', 'reverse:skipped']);
      expect((await sandbox.ledger()).find((c) => c.key === payment.id)).toBeUndefined();
    });

    test('a charge whose answer was lost after charging is reversed before the attempt counts as failed', async () => {
      const { invoiceId } = await openInvoice('tok_timeout_after_charge');
      await f.cycle();
      const payment = (await f.ok<Page<PaymentResource>>('GET', `/v1/invoices/${invoiceId}/payments`)).data[0]!;
      expect(payment).toMatchObject({ status: 'failed', failure_code: 'timeout' });
      expect(payment.steps.map((s) => `${s.name}:${s.outcome}`)).toEqual(['initiated:succeeded', 'charge:failed', 'reverse:succeeded']);
      expect((await sandbox.ledger()).find((c) => c.key === payment.id)).toMatchObject({ amount: 5000, refunded: true });
      expect(await f.ok('GET', `/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'open', amount_paid: 0 });
    });
  });

  describe('compensation', () => {
    test('an invoice voided while its charge is in flight: the saga refunds instead of keeping the money', async () => {
      // The operator voids the invoice while the charge that subscribing started is in flight.
      during = async (request) => {
        during = null;
        expect((await p.call('POST', `/v1/invoices/${request.description.replace('Invoice ', '')}/void`)).status).toBe(200);
      };
      const { sub, invoiceId } = await openInvoice('tok_ok');
      expect(sub.status).toBe('canceled'); // its first invoice was voided meanwhile: it expired
      expect(await f.cycle()).toMatchObject({ attempted: 0, errors: 0 });
      const payment = (await f.ok<Page<PaymentResource>>('GET', `/v1/invoices/${invoiceId}/payments`)).data[0]!;
      expect(payment).toMatchObject({ status: 'refunded', failure_code: 'fulfilment_failed' });
      expect(payment.refund_reference).toStartWith('sbx_re_');
      expect(payment.steps.map((s) => `${s.name}:${s.outcome}`)).toEqual(['initiated:succeeded', 'charge:succeeded', 'fulfil:failed', 'refund:succeeded']);
      expect((await sandbox.ledger()).find((c) => c.key === payment.id)).toMatchObject({ refunded: true });
      expect(await f.ok('GET', `/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'void', amount_paid: 0 });
      expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'canceled' }); // its first invoice voided: expired (incomplete_expired)
      const events = (await f.eventsOf(payment.id)).map((e) => e.type);
      expect(events).toEqual(['payment.initiated', 'payment.succeeded', 'payment.refunded']);
    });

    test('a worker that lost the answer after the charge: the saga resumes after its lease, charges again under the same key, and the customer pays once', async () => {
      // The answer of the charge that subscribing started is lost: the request fails after its first commit.
      clock.set(START);
      lostAnswer = true;
      const customer = await f.customer({ payment_method: 'tok_ok' });
      const failed = await p.call('POST', '/v1/subscriptions', { body: { customer_id: customer.id, plan_id: (await f.plan({ price_amount: 5000 })).id } });
      lostAnswer = false;
      expect(failed.status).toBe(500);
      const [sub] = (await f.ok<Page<{ id: string }>>('GET', `/v1/customers/${customer.id}/subscriptions`)).data;
      const invoiceId = (await f.invoices(`subscription_id=${sub!.id}`))[0]!.id;
      const stalled = (await f.ok<Page<PaymentResource>>('GET', `/v1/invoices/${invoiceId}/payments`)).data[0]!;
      expect(stalled.status).toBe('pending');
      // Before the lease runs out nobody touches it, and the invoice is not attempted again meanwhile.
      expect(await f.cycle()).toMatchObject({ resumed: 0, attempted: 0 });
      clock.set(START + 60_000);
      expect(await f.cycle()).toMatchObject({ resumed: 1, attempted: 0 });
      expect(await f.ok('GET', `/v1/payments/${stalled.id}`)).toMatchObject({ status: 'succeeded', provider_reference: (await sandbox.ledger()).find((c) => c.key === stalled.id)!.reference });
      expect((await sandbox.ledger()).filter((c) => c.key === stalled.id)).toHaveLength(1);
      expect(await f.ok('GET', `/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'paid', amount_paid: 5000 });
      expect(await f.ok('GET', `/v1/subscriptions/${sub!.id}`)).toMatchObject({ status: 'active' });
      expect(await f.ok('GET', `/v1/customers/${customer.id}`)).toMatchObject({ status: 'active' });
    });
  });

  describe('POST /v1/invoices/:id/pay', () => {
    test('pays an open invoice with a given payment method; a retry replays; paying or voiding it again is a 409', async () => {
      const { sub, invoiceId } = await openInvoice('tok_decline'); // its automatic attempt is declined
      expect(await f.ok('GET', `/v1/invoices/${invoiceId}`)).toMatchObject({ status: 'open', attempt_count: 1 });

      const declined = await p.call('POST', `/v1/invoices/${invoiceId}/pay`, { body: {} });
      expect(declined.status).toBe(200);
      expect(declined.body).toMatchObject({ object: 'payment', trigger: 'manual', status: 'failed', failure_code: 'card_declined' });
      // A failed manual attempt does not move dunning.
      expect(await f.ok('GET', `/v1/invoices/${invoiceId}`)).toMatchObject({ attempt_count: 1, next_attempt_at: iso(START + DAY_MS) });

      const headers = { 'Idempotency-Key': `pay-${invoiceId}` };
      const paid = await p.call<PaymentResource>('POST', `/v1/invoices/${invoiceId}/pay`, { body: { payment_method: 'tok_mastercard' }, headers });
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({ status: 'succeeded', amount: 5000, currency: 'EUR' });
      const replay = await p.call<PaymentResource>('POST', `/v1/invoices/${invoiceId}/pay`, { body: { payment_method: 'tok_mastercard' }, headers });
      expect(replay.headers.get('idempotency-replayed')).toBe('true');
      expect(replay.body.id).toBe(paid.body.id);
      expect((await sandbox.ledger()).filter((c) => c.description === `Invoice ${invoiceId}`)).toHaveLength(1);

      const again = await p.call('POST', `/v1/invoices/${invoiceId}/pay`, { body: {} });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'invalid_transition', current_status: 'paid' });
      expect((await p.call('POST', `/v1/invoices/${invoiceId}/void`)).status).toBe(409);
      expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active' });
    });
  });

  describe('credit and tax at finalization', () => {
    test('a voided invoice gives back the credit it used; credit can cover an invoice entirely, which is then paid without a payment', async () => {
      clock.set(START);
      const customer = await f.customer({ payment_method: 'tok_ok', tax_rate_bps: 2000 });
      // Three subscriptions at once: an operator's allowance.
      await f.ok('PATCH', `/v1/customers/${customer.id}`, { max_subscriptions: 3 });
      // The first payment earns 10 % credit through the profiling worker.
      p.startWorkers(['relay', 'profiling']);
      const first = await f.subscribe({ customer_id: customer.id, plan_id: (await f.plan({ price_amount: 8334 })).id });
      // Collected as it subscribed: 8334 + 20 % (1666.8 → 1667) = 10001 → bonus round(1000.1) = 1000
      expect(first.status).toBe('active');
      await eventually(async () => (await f.ok<CreditBalanceResource>('GET', `/v1/customers/${customer.id}/credits`)).balances.EUR === 1000);
      await p.stopWorkers();

      const small = await f.plan({ price_amount: 500 }); // 500 + 100 tax = 600 ≤ 1000 credit
      const second = await f.subscribe({ customer_id: customer.id, plan_id: small.id });
      // Finalized as it was drafted, covered by credit and so paid: the subscription starts active.
      expect(second.status).toBe('active');
      expect(await f.cycle()).toMatchObject({ finalized: 0, attempted: 0 });
      const [covered] = await f.invoices(`subscription_id=${second.id}`);
      expect(covered).toMatchObject({ status: 'paid', total: 600, credit_applied: 600, amount_due: 0, amount_paid: 0 });
      expect(await f.ok('GET', `/v1/subscriptions/${second.id}`)).toMatchObject({ status: 'active' });

      await p.call('PATCH', `/v1/customers/${customer.id}`, { body: { payment_method: 'tok_decline' } });
      const third = await f.subscribe({ customer_id: customer.id, plan_id: (await f.plan({ price_amount: 1000 })).id });
      const partly = (await f.invoices(`subscription_id=${third.id}`))[0]!;
      expect(partly).toMatchObject({ status: 'open', total: 1200, credit_applied: 400, amount_due: 800 });
      expect(await f.ok('POST', `/v1/invoices/${partly.id}/void`)).toMatchObject({ status: 'void', next_attempt_at: null });
      const credits = await f.ok<CreditBalanceResource>('GET', `/v1/customers/${customer.id}/credits`);
      expect(credits.balances.EUR).toBe(400);
      expect(credits.entries.map((e) => [e.reason, e.amount])).toEqual([['first_payment_bonus', 1000], ['invoice_applied', -600], ['invoice_applied', -400], ['invoice_voided', 400]]);
    });

    test('a draft waits for the review window (INVOICE_DRAFT_MINUTES) before it is finalized and collected', async () => {
      const q = await createTestPlatform({ build: { clock, payments: createSandboxProvider() }, env: { INVOICE_DRAFT_MINUTES: '60' } });
      try {
        const g = billingFixtures(q);
        clock.set(START);
        const sub = await g.subscribe({ customer_id: (await g.customer({ payment_method: 'tok_ok' })).id, plan_id: (await g.plan()).id });
        clock.set(START + 59 * 60_000);
        expect(await g.cycle()).toMatchObject({ finalized: 0, attempted: 0 });
        clock.set(START + 60 * 60_000);
        expect(await g.cycle()).toMatchObject({ finalized: 1, attempted: 1 });
        expect((await g.invoices(`subscription_id=${sub.id}`))[0]).toMatchObject({ status: 'paid', number: 'INV-000001' });
      } finally {
        await q.close();
      }
    });
  });

  describe('validation, auth and errors of the billing routes', () => {
    test('bad input names the field; unknown ids are 404; viewers cannot write; no token is 401', async () => {
      const invalid = async (method: string, path: string, field: string, body?: unknown) => {
        const res = await p.call<Problem>(method, path, body === undefined ? {} : { body });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toStartWith('application/problem+json');
        expect(res.body.errors!.map((e) => e.field)).toContain(field);
      };
      await invalid('GET', '/v1/invoices?status=late', 'status');
      await invalid('GET', '/v1/invoices?customer_id=nope', 'customer_id');
      await invalid('GET', '/v1/invoices?limit=1000', 'limit');
      await invalid('GET', '/v1/invoices/inv_nope', 'id');
      await invalid('GET', '/v1/payments/pay_1', 'id');
      await invalid('POST', '/v1/invoices/inv_01ARZ3NDEKTSV4RRFFQ69G5FAV/pay', 'payment_method', { payment_method: 'tok ok' });
      await invalid('PATCH', `/v1/customers/${(await f.customer()).id}`, 'tax_rate_bps', { tax_rate_bps: 10_001 });
      await invalid('PATCH', `/v1/customers/${(await f.customer()).id}`, 'tax_rate_bps', { tax_rate_bps: 19.5 });

      const missing = await p.call<Problem>('GET', '/v1/invoices/inv_01ARZ3NDEKTSV4RRFFQ69G5FAV');
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('not_found');
      expect((await p.call('POST', '/v1/invoices/inv_01ARZ3NDEKTSV4RRFFQ69G5FAV/void')).status).toBe(404);
      expect((await p.call('GET', '/v1/payments/pay_01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);

      const { invoiceId } = await openInvoice('tok_ok');
      const viewer = await p.tokenFor('viewer');
      expect((await p.call('GET', `/v1/invoices/${invoiceId}`, { token: viewer })).status).toBe(200);
      expect((await p.call('POST', `/v1/invoices/${invoiceId}/void`, { token: viewer })).status).toBe(403);
      expect((await p.call('POST', `/v1/invoices/${invoiceId}/pay`, { token: viewer, body: {} })).status).toBe(403);
      expect((await p.call('GET', '/v1/invoices', { token: null })).status).toBe(401);
      expect((await p.call('GET', `/v1/customers/${(await f.customer()).id}/credits`, { token: null })).status).toBe(401);
      expect((await p.call('POST', `/v1/invoices/${invoiceId}/finalize`, { token: viewer })).status).toBe(403);
      expect((await p.call('POST', '/v1/invoices/inv_01ARZ3NDEKTSV4RRFFQ69G5FAV/finalize')).status).toBe(404);
    });
  });
});

describe('invoice finalization', () => {
  test('with INVOICE_DRAFT_MINUTES=0 an invoice is finalized in the transaction that drafts it: open, numbered and collected at once', async () => {
    const own = manualClock(START);
    const q = await createTestPlatform({ build: { clock: own, payments: createSandboxProvider() }, env: { INVOICE_DRAFT_MINUTES: '0' } });
    try {
      const g = billingFixtures(q);
      // No payment method yet: the attempt made as it subscribes fails, and leaves the invoice open for dunning.
      const customer = await g.customer();
      await g.ok('PATCH', `/v1/customers/${customer.id}`, { max_subscriptions: 2 });
      const sub = await g.subscribe({ customer_id: customer.id, plan_id: (await g.plan({ price_amount: 5000 })).id });
      const invoice = (await g.invoices(`subscription_id=${sub.id}`))[0]!;
      expect(invoice).toMatchObject({ status: 'open', number: 'INV-000001', finalized_at: iso(START), attempt_count: 1, next_attempt_at: iso(START + DAY_MS), amount_due: 5000 });
      expect((await g.eventsOf(invoice.id)).map((e) => e.type)).toEqual(['invoice.created', 'invoice.finalized']);
      // Payable without waiting for a billing pass.
      expect(await g.ok('POST', `/v1/invoices/${invoice.id}/pay`, { payment_method: 'tok_ok' })).toMatchObject({ status: 'succeeded', amount: 5000 });
      expect(await g.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active' });
      await g.ok('PATCH', `/v1/customers/${customer.id}`, { payment_method: 'tok_ok' });

      // With a payment method, the first invoice is paid as it subscribes: the subscription starts active.
      const paying = await g.subscribe({ customer_id: (await g.customer({ payment_method: 'tok_ok' })).id, plan_id: (await g.plan({ price_amount: 3000 })).id });
      expect(paying.status).toBe('active');
      expect((await g.invoices(`subscription_id=${paying.id}`))[0]).toMatchObject({ status: 'paid', number: 'INV-000002', amount_paid: 3000 });

      // A renewal too: the step that drafts the invoice at a trial's end leaves it open.
      const trialing = await g.subscribe({ customer_id: customer.id, plan_id: (await g.plan({ price_amount: 700, trial_days: 7 })).id });
      own.set(START + 7 * DAY_MS);
      expect(await withTransaction(q.ctx(), (tx) => advanceSubscription(tx, trialing.id))).toBe(true);
      const renewal = (await g.invoices(`subscription_id=${trialing.id}`))[0]!;
      expect(renewal).toMatchObject({ status: 'open', number: 'INV-000003', finalized_at: iso(START + 7 * DAY_MS) });
      // The same events, in the same order, as when the billing pass finalizes a draft.
      expect((await g.eventsOf(renewal.id)).map((e) => e.type)).toEqual(['invoice.created', 'invoice.finalized']);
      expect(await g.cycle()).toMatchObject({ advanced: 0, finalized: 0, attempted: 1, errors: 0 });
      expect(await g.ok('GET', `/v1/invoices/${renewal.id}`)).toMatchObject({ status: 'paid' });
    } finally {
      await q.close();
    }
  });

  test('POST /v1/invoices/:id/finalize opens a draft before its review window ends, audited and idempotent; finalizing it again is 409 invalid_transition', async () => {
    const own = manualClock(START);
    const q = await createTestPlatform({ build: { clock: own, payments: createSandboxProvider() }, env: { INVOICE_DRAFT_MINUTES: '60' } });
    try {
      const g = billingFixtures(q);
      const sub = await g.subscribe({ customer_id: (await g.customer({ payment_method: 'tok_ok' })).id, plan_id: (await g.plan({ price_amount: 5000 })).id });
      const draft = (await g.invoices(`subscription_id=${sub.id}`))[0]!;
      expect(draft).toMatchObject({ status: 'draft', number: null });
      const early = await q.call('POST', `/v1/invoices/${draft.id}/pay`, { body: {} });
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ code: 'invalid_transition', current_status: 'draft' });

      own.set(START + 10 * 60_000);
      const operator = await q.tokenFor('operator');
      const headers = { 'Idempotency-Key': `finalize-${draft.id}` };
      const finalized = await q.call('POST', `/v1/invoices/${draft.id}/finalize`, { token: operator, headers });
      expect(finalized.status).toBe(200);
      expect(finalized.body).toMatchObject({ id: draft.id, status: 'open', number: 'INV-000001', amount_due: 5000, finalized_at: iso(START + 10 * 60_000), next_attempt_at: iso(START + 10 * 60_000) });
      const replay = await q.call('POST', `/v1/invoices/${draft.id}/finalize`, { token: operator, headers });
      expect(replay.headers.get('idempotency-replayed')).toBe('true');
      expect(replay.body).toEqual(finalized.body);
      const again = await q.call('POST', `/v1/invoices/${draft.id}/finalize`, { token: operator });
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toStartWith('application/problem+json');
      expect(again.body).toMatchObject({ code: 'invalid_transition', current_status: 'open', transition: 'finalize' });

      expect((await g.eventsOf(draft.id)).map((e) => e.type)).toEqual(['invoice.created', 'invoice.finalized']);
      const audit = await q.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${draft.id}`);
      expect(audit.body.data.map((a) => a.action)).toEqual(['invoice.finalize']);

      // Now it can be paid, and the billing pass has nothing left to finalize when the window ends.
      expect(await g.ok('POST', `/v1/invoices/${draft.id}/pay`, {})).toMatchObject({ status: 'succeeded' });
      own.set(START + 60 * 60_000);
      expect(await g.cycle()).toMatchObject({ finalized: 0, attempted: 0, errors: 0 });
      const paid = await q.call('POST', `/v1/invoices/${draft.id}/finalize`);
      expect(paid.body).toMatchObject({ code: 'invalid_transition', current_status: 'paid' });
    } finally {
      await q.close();
    }
  });
});

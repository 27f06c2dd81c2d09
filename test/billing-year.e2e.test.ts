import { afterAll, beforeAll, expect, test } from 'bun:test';
import { forEachBus } from './kafka-env.ts';
import { eq } from 'drizzle-orm';
import { deadLetters, notifications } from '../db/schema/index.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { billingFixtures, expectEveryChargeSettled } from './billing-fixtures.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { CreditBalanceResource } from '../src/billing/contract.ts';
import type { PaymentResource } from '../src/payments/contract.ts';
import type { UsagePeriodResource } from '../src/usage/contract.ts';

/**
 * A year of one customer on a real libSQL file with the real workers (relay,
 * notifications, profiling, usage-ingest) and the billing pass run at each step
 * the clock is moved to. Every figure below is computed by hand:
 *
 *   Starter 29.00 EUR/month, 14-day trial; Pro 99.00 EUR/month, 1,000,000 tokens
 *   included, 1.00 EUR per 1,000 over. Tax 19 %. First-payment bonus 10 %.
 *
 *   #1  Jan 15  trial ends, Starter fee            2900, tax 551 → 3451, paid (tok_ok)
 *       bonus   round(3451 × 10 %) = 345.1        → 345 credit
 *   #2  Feb 15  Starter fee 2900, tax 551 → 3451, credit −345 → due 3106
 *       Mar 1   change to Pro: 14 of 28 days left → credit −1450, charge +4950
 *   #3  Mar 15  Pro 9900 − 1450 + 4950 = 13400, tax 2546 → 15946
 *       usage Mar 15 – Apr 15: 1,250,505 tokens → 250,505 over
 *   #4  Apr 15  Pro 9900 + overage round(250,505 × 100 / 1000 = 25,050.5) = 25051
 *               = 34951, tax round(6640.69) = 6641 → 41592; declined Apr 15 and Apr 16,
 *               paid Apr 18 after the card is replaced
 *   #5–#11 May 15 … Nov 15  Pro 9900, tax 1881 → 11781 each
 *       Nov 20  cancel at period end → canceled Dec 15, nothing left to bill
 */
const at = (month: number, day: number) => Date.UTC(2026, month - 1, day);
const iso = (ms: number) => new Date(ms).toISOString();
const clock = manualClock(at(1, 1));
let sandbox = createSandboxProvider();
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;


/** Moves the clock and runs the billing pass there, as the worker would. */
async function moveTo(ms: number) {
  clock.set(ms);
  return f.cycle();
}

forEachBus('a simulated year of one customer', (bus) => {
  beforeAll(async () => {
    clock.set(at(1, 1));
    sandbox = createSandboxProvider();
    p = await createTestPlatform({ env: bus.env(), build: { clock, payments: sandbox } });
    f = billingFixtures(p);
    p.startWorkers(['relay', 'notifications', 'profiling', 'usage-ingest']);
  });
  afterAll(() => p.close());

  test('every invoice equals the hand-computed total; events come in order; every charge is settled', async () => {
    const starter = await f.plan({ name: 'Starter', price_amount: 2900, trial_days: 14, included_tokens: 100_000, overage_price_per_1k: 200 });
    const pro = await f.plan({ name: 'Pro', price_amount: 9900, trial_days: 14, included_tokens: 1_000_000, overage_price_per_1k: 100 });
    const customer = await f.customer({ tax_rate_bps: 1900, payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: starter.id });
    expect(sub).toMatchObject({ status: 'trialing', current_period_end: iso(at(1, 15)), anchor: iso(at(1, 15)) });

    // Nothing is due during the trial.
    expect(await moveTo(at(1, 10))).toMatchObject({ advanced: 0, finalized: 0, attempted: 0 });

    // Jan 15: the trial ends, the first period is billed and paid; the trial converts.
    // The renewal finalizes the invoice as it drafts it (INVOICE_DRAFT_MINUTES=0), so no draft waits for the pass.
    expect(await moveTo(at(1, 15))).toMatchObject({ advanced: 1, finalized: 0, attempted: 1, errors: 0 });
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active', current_period_start: iso(at(1, 15)), current_period_end: iso(at(2, 15)) });
    expect(await f.ok('GET', `/v1/customers/${customer.id}`)).toMatchObject({ status: 'active' });
    // The first payment earns 10 %: 345 credit, from the profiling worker.
    const credit = await eventually(async () => {
      const c = await f.ok<CreditBalanceResource>('GET', `/v1/customers/${customer.id}/credits`);
      return c.balances.EUR === 345 ? c : null;
    });
    expect(credit.entries).toMatchObject([{ amount: 345, reason: 'first_payment_bonus' }]);

    // Feb 15: renewal; the bonus comes off.
    await moveTo(at(2, 15));
    // Mar 1: upgrade to Pro halfway through the 28-day period.
    clock.set(at(3, 1));
    await f.ok('POST', `/v1/subscriptions/${sub.id}/change-plan`, { plan_id: pro.id });
    // Mar 15: renewal with the proration lines.
    await moveTo(at(3, 15));

    // Usage in the Mar 15 – Apr 15 period: two records by API (one posted twice), one through the bus (delivered twice).
    clock.set(at(3, 20));
    const records = [
      { id: 'gw-1', customer_id: customer.id, model: 'gpt-x', tokens: 600_000, occurred_at: iso(at(3, 16)) },
      { id: 'gw-2', customer_id: customer.id, model: 'gpt-x', tokens: 600_000, occurred_at: iso(at(3, 18)) },
    ];
    expect(await f.ok('POST', '/v1/usage', { records })).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await f.ok('POST', '/v1/usage', { records: [records[1]] })).toMatchObject({ accepted: 0, duplicates: 1 });
    const fromGateway = (id: string) => ({
      specversion: '1.0' as const,
      id,
      source: 'urn:ai-gateway',
      type: 'usage.reported',
      subject: customer.id,
      time: iso(at(3, 20)),
      datacontenttype: 'application/json' as const,
      sequence: 1,
      data: { id: 'gw-3', customer_id: customer.id, model: 'gpt-x', tokens: 50_505, occurred_at: iso(at(3, 19)) },
    });
    await p.deps.bus.publish([fromGateway('gateway-evt-1'), fromGateway('gateway-evt-1'), fromGateway('gateway-evt-2')]);
    const usage = await eventually(async () => {
      const u = await f.ok<UsagePeriodResource>('GET', `/v1/subscriptions/${sub.id}/usage`);
      return u.used_tokens === 1_250_505 ? u : null;
    });
    expect(usage).toMatchObject({ period_start: iso(at(3, 15)), overage_tokens: 250_505 });

    // Apr 15: the card is declined twice, then replaced and the third attempt pays.
    await f.ok('PATCH', `/v1/customers/${customer.id}`, { payment_method: 'tok_decline' });
    await moveTo(at(4, 15));
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'past_due' });
    expect(await moveTo(at(4, 15) + DAY_MS - 1)).toMatchObject({ attempted: 0 }); // not due before the day is up
    expect(await moveTo(at(4, 16))).toMatchObject({ attempted: 1 });
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'past_due' });
    await f.ok('PATCH', `/v1/customers/${customer.id}`, { payment_method: 'tok_visa' });
    expect(await moveTo(at(4, 18))).toMatchObject({ attempted: 1 });
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active' });

    // May … Nov: monthly renewals. Nov 20: cancel at the period end.
    for (let month = 5; month <= 11; month++) await moveTo(at(month, 15));
    clock.set(at(11, 20));
    await f.ok('POST', `/v1/subscriptions/${sub.id}/cancel`, { at_period_end: true });
    await moveTo(at(12, 14));
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active', cancel_at_period_end: true });
    expect(await moveTo(at(12, 15))).toMatchObject({ advanced: 1, finalized: 0 });
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'canceled', canceled_at: iso(at(12, 15)) });
    expect(await moveTo(Date.UTC(2027, 0, 1))).toMatchObject({ advanced: 0, finalized: 0, attempted: 0, errors: 0 });

    // The invoices, to the minor unit.
    const invoices = await f.invoices(`subscription_id=${sub.id}`);
    const figures = invoices.map((i) => ({ number: i.number, period: i.period_start.slice(0, 10), subtotal: i.subtotal, tax: i.tax, total: i.total, credit: i.credit_applied, due: i.amount_due, paid: i.amount_paid, status: i.status }));
    const monthly = (n: number, month: number) => ({ number: `INV-${String(n).padStart(6, '0')}`, period: `2026-${String(month).padStart(2, '0')}-15`, subtotal: 9900, tax: 1881, total: 11781, credit: 0, due: 11781, paid: 11781, status: 'paid' as const });
    expect(figures).toEqual([
      { number: 'INV-000001', period: '2026-01-15', subtotal: 2900, tax: 551, total: 3451, credit: 0, due: 3451, paid: 3451, status: 'paid' },
      { number: 'INV-000002', period: '2026-02-15', subtotal: 2900, tax: 551, total: 3451, credit: 345, due: 3106, paid: 3106, status: 'paid' },
      { number: 'INV-000003', period: '2026-03-15', subtotal: 13400, tax: 2546, total: 15946, credit: 0, due: 15946, paid: 15946, status: 'paid' },
      { number: 'INV-000004', period: '2026-04-15', subtotal: 34951, tax: 6641, total: 41592, credit: 0, due: 41592, paid: 41592, status: 'paid' },
      ...[5, 6, 7, 8, 9, 10, 11].map((month, i) => monthly(5 + i, month)),
    ]);
    expect(invoices[2]!.lines.map((l) => [l.kind, l.amount])).toEqual([['subscription_fee', 9900], ['proration_credit', -1450], ['proration_charge', 4950]]);
    expect(invoices[3]!.lines.map((l) => [l.kind, l.amount, l.quantity])).toEqual([['subscription_fee', 9900, 1], ['usage_overage', 25051, 250_505]]);
    expect(invoices[3]!.lines[1]!.period_start).toBe(iso(at(3, 15)));

    // Invoice #4's payments: two declines with the dunning dates, then the success.
    const attempts = (await f.ok<Page<PaymentResource>>('GET', `/v1/invoices/${invoices[3]!.id}/payments`)).data;
    expect(attempts.map((a) => [a.attempt, a.status, a.failure_code])).toEqual([[1, 'failed', 'card_declined'], [2, 'failed', 'card_declined'], [3, 'succeeded', null]]);
    expect(attempts[2]!.steps.map((s) => `${s.name}:${s.outcome}`)).toEqual(['initiated:succeeded', 'charge:succeeded', 'invoice_paid:succeeded', 'completed:succeeded']);
    const failures = (await f.eventTypes('payment.failed')).filter((e) => e.data.payment.invoice_id === invoices[3]!.id);
    expect(failures.map((e) => e.data.next_attempt_at)).toEqual([iso(at(4, 16)), iso(at(4, 18))]);

    // The subscription's events, in order.
    const events = (await f.eventsOf(sub.id)).map((e) => e.type);
    expect(events).toEqual([
      'subscription.created',
      'subscription.trial_started',
      'subscription.trial_ended',
      'subscription.activated',
      'subscription.renewed',
      'subscription.plan_changed',
      'subscription.renewed',
      'usage.recorded', // gw-1
      'usage.recorded', // gw-2 crosses the 1,000,000 included tokens
      'usage.quota_exceeded',
      'usage.recorded', // gw-3, from the bus, once
      'subscription.renewed',
      'subscription.past_due',
      'subscription.activated',
      ...Array(7).fill('subscription.renewed'),
      'subscription.canceled',
      'subscription.ended',
    ]);

    // The customer heard about it: finalized invoices, the failed payments with their retry date, receipts.
    // Each event type is its own topic on Kafka, consumed in its own order: wait for all of them.
    const expected = { payment_succeeded: 11, payment_failed: 2, invoice_finalized: 11, credit_granted: 1, subscription_canceled: 1, quota_exceeded: 1 };
    const notes = await eventually(async () => {
      const list = await p.deps.db.select().from(notifications).where(eq(notifications.customerId, customer.id));
      const counts = Object.fromEntries(Object.keys(expected).map((t) => [t, list.filter((n) => n.template === t).length]));
      return JSON.stringify(counts) === JSON.stringify(expected) ? list : null;
    });
    const failed = notes.filter((n) => n.template === 'payment_failed');
    expect(failed.some((n) => n.body.includes('We will try again on 2026-04-16'))).toBe(true);
    expect(failed.some((n) => n.body.includes('We will try again on 2026-04-18'))).toBe(true);

    // The provider holds exactly the money of the paid invoices.
    const ledger = await sandbox.ledger();
    expect(ledger.reduce((s, c) => s + c.amount, 0)).toBe(figures.reduce((s, i) => s + i.paid, 0));
    await expectEveryChargeSettled(p, ledger);
  }, 60_000);

  test('a usage record from another service that breaks the API rules is dead-lettered with the field named, and nothing is counted', async () => {
    clock.set(at(6, 1));
    const customer = await f.customer({ payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: (await f.plan()).id });
    await p.deps.bus.publish([
      {
        specversion: '1.0',
        id: 'gateway-bad-1',
        source: 'urn:ai-gateway',
        type: 'usage.reported',
        subject: customer.id,
        time: iso(at(6, 1)),
        datacontenttype: 'application/json',
        sequence: 1,
        data: { id: 'gw-bad', customer_id: customer.id, model: ' ', tokens: 5, occurred_at: iso(at(6, 1)) },
      },
    ]);
    const [parked] = await eventually(async () => {
      const rows = await p.deps.db.select().from(deadLetters).where(eq(deadLetters.eventId, 'gateway-bad-1'));
      return rows.length > 0 ? rows : null;
    });
    expect(parked).toMatchObject({ consumer: 'usage-ingest' });
    expect(parked!.reason).toContain('model');
    expect(await f.ok('GET', `/v1/subscriptions/${sub.id}/usage`)).toMatchObject({ used_tokens: 0 });
  }, 20_000);
});

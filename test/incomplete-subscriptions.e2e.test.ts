import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { InvoiceResource } from '../src/billing/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

/**
 * A subscription without a trial starts `incomplete` and waits for its first invoice to be
 * paid. As Stripe's: a failed first payment does not make it `past_due` (it was never active);
 * it expires (`canceled`, reason `incomplete_expired`) when that invoice can no longer start it.
 */
const START = Date.UTC(2026, 2, 2);
const clock = manualClock(START);
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() }, env: { INVOICE_DRAFT_MINUTES: '0', DUNNING_RETRY_DAYS: '1,3,5' } });
  f = billingFixtures(p);
});
afterAll(() => p.close());

async function incomplete(paymentMethod: string) {
  clock.set(START);
  const plan = await f.plan({ trial_days: 0, price_amount: 2900 });
  const customer = await f.customer({ payment_method: paymentMethod });
  const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
  expect(sub.status).toBe('incomplete');
  const [invoice] = await f.invoices(`subscription_id=${sub.id}`);
  expect(invoice).toMatchObject({ billing_reason: 'subscription_create', status: 'open' });
  return { sub, invoice: invoice! };
}

const subscription = (id: string) => f.ok<SubscriptionResource>('GET', `/v1/subscriptions/${id}`);

describe('an incomplete subscription', () => {
  test('whose first invoice is declined stays incomplete through the retries, then expires with reason incomplete_expired and never goes past_due', async () => {
    const { sub, invoice } = await incomplete('tok_decline');
    for (const day of [0, 1, 3]) {
      clock.set(START + day * DAY_MS);
      await f.cycle();
      expect((await subscription(sub.id)).status).toBe('incomplete');
    }
    clock.set(START + 5 * DAY_MS);
    await f.cycle();

    expect(await subscription(sub.id)).toMatchObject({ status: 'canceled', canceled_at: new Date(START + 5 * DAY_MS).toISOString() });
    expect(await f.ok<InvoiceResource>('GET', `/v1/invoices/${invoice.id}`)).toMatchObject({ status: 'uncollectible', attempt_count: 4 });
    const events = await f.eventsOf(sub.id);
    expect(events.map((e) => e.type)).not.toContain('subscription.past_due');
    expect(events.find((e) => e.type === 'subscription.canceled')?.data).toMatchObject({ previous_status: 'incomplete', at_period_end: false, reason: 'incomplete_expired' });
    expect(events.find((e) => e.type === 'subscription.ended')?.data).toMatchObject({ reason: 'incomplete_expired' });
  });

  test('whose first invoice is voided expires with it (reason incomplete_expired) instead of waiting with nothing to pay', async () => {
    const { sub, invoice } = await incomplete('tok_decline');
    clock.set(START + DAY_MS / 2);
    await f.ok('POST', `/v1/invoices/${invoice.id}/void`, {});

    expect(await subscription(sub.id)).toMatchObject({ status: 'canceled', canceled_at: new Date(START + DAY_MS / 2).toISOString() });
    const events = await f.eventsOf(sub.id);
    expect(events.find((e) => e.type === 'subscription.canceled')?.data).toMatchObject({ previous_status: 'incomplete', reason: 'incomplete_expired' });
    expect(events.find((e) => e.type === 'subscription.ended')?.data).toMatchObject({ reason: 'incomplete_expired' });
    // Nothing is left to bill it: the next pass makes no invoice for it.
    clock.set(START + 40 * DAY_MS);
    await f.cycle();
    expect((await f.invoices(`subscription_id=${sub.id}`)).map((i) => i.status)).toEqual(['void']);
  });
});

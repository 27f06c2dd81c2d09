import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { EventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { PaymentResource } from '../src/payments/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
beforeAll(async () => {
  p = await createTestPlatform();
  f = billingFixtures(p);
});
afterAll(() => p.close());

/** A customer with a paid first invoice: events on the customer, its subscription, its invoice and its payment. */
async function customerWithPayment() {
  const customer = await f.customer({ payment_method: 'tok_ok' });
  const plan = await f.plan();
  const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id, trial: false });
  const [invoice] = await f.invoices(`customer_id=${customer.id}`);
  // Collected as it subscribed once finalized; a draft (review window) is finalized and paid now.
  if (invoice!.status === 'draft') {
    await f.ok<InvoiceResource>('POST', `/v1/invoices/${invoice!.id}/finalize`);
    await f.ok('POST', `/v1/invoices/${invoice!.id}/pay`);
  }
  return { customer, sub, invoice: invoice! };
}

describe("a customer's timeline and payments, for the dashboard's customer page", () => {
  test('GET /v1/customers/:id/events lists the events of the customer, its subscriptions, invoices and payments in commit order, and nobody else\'s', async () => {
    const other = await customerWithPayment();
    const { customer, sub, invoice } = await customerWithPayment();
    const payments = await f.ok<Page<PaymentResource>>('GET', `/v1/customers/${customer.id}/payments`);
    const subjects = new Set([customer.id, sub.id, invoice.id, ...payments.data.map((x) => x.id)]);

    const res = await p.call<Page<EventResource>>('GET', `/v1/customers/${customer.id}/events?limit=100`);
    expect(res.status).toBe(200);
    const events = res.body.data;
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['customer.onboarded', 'subscription.created', 'invoice.created', 'invoice.finalized', 'payment.initiated', 'payment.succeeded', 'invoice.paid']));
    expect(events.every((e) => subjects.has(e.subject))).toBe(true);
    expect(events.some((e) => e.subject === other.customer.id)).toBe(false);

    // The same events, in the same (commit) order, as the events API gives per subject.
    const all = await f.ok<Page<EventResource>>('GET', '/v1/events?limit=100');
    expect(events.map((e) => e.id)).toEqual(all.data.filter((e) => subjects.has(e.subject)).map((e) => e.id));

    // Paged with the cursor, nothing lost or repeated.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<EventResource> = (await p.call<Page<EventResource>>('GET', `/v1/customers/${customer.id}/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      paged.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(paged).toEqual(events.map((e) => e.id));
  });

  test('GET /v1/customers/:id/payments lists its payments newest first with their saga steps', async () => {
    const { customer, invoice } = await customerWithPayment();
    const res = await p.call<Page<PaymentResource>>('GET', `/v1/customers/${customer.id}/payments`);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    const [payment] = res.body.data;
    expect(payment).toMatchObject({ customer_id: customer.id, invoice_id: invoice.id, status: 'succeeded' });
    expect(payment!.steps.length).toBeGreaterThan(1);
    expect(payment!.steps.map((s) => s.seq)).toEqual([...payment!.steps.map((s) => s.seq)].sort((a, b) => a - b));
  });

  test('both answer 404 for an unknown customer and take viewers', async () => {
    const viewer = await p.tokenFor('viewer');
    for (const list of ['events', 'payments']) {
      const missing = await p.call<Problem>('GET', `/v1/customers/cus_00000000000000000000000000/${list}`);
      expect(missing.status).toBe(404);
      const customer = await f.customer();
      const res = await p.call<Page<unknown>>('GET', `/v1/customers/${customer.id}/${list}`, { token: viewer });
      expect(res.status).toBe(200);
    }
  });
});

import { afterAll, beforeAll, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { notifications } from '../db/schema/index.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, eventually, type TestPlatform } from './harness.ts';

let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
beforeAll(async () => {
  p = await createTestPlatform();
  f = billingFixtures(p);
  p.startWorkers(['relay', 'notifications']);
});
afterAll(() => p.close());

/** A customer on a plan in `currency` without trial, billed and paid at once; the invoice and payment emails it got. */
async function billedIn(currency: string, price: number) {
  const plan = await f.plan({ currency, price_amount: price, overage_price_per_1k: 0 });
  const customer = await f.customer({ payment_method: 'tok_ok' });
  await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
  // INVOICE_DRAFT_MINUTES=0: the invoice was finalized with the subscription and collected as it subscribed.
  expect(await f.cycle()).toMatchObject({ attempted: 0, errors: 0 });
  const [invoice] = await f.invoices(`customer_id=${customer.id}`);
  expect(invoice).toMatchObject({ currency, total: price, status: 'paid' });
  return eventually(async () => {
    const sent = await p.deps.db.select().from(notifications).where(eq(notifications.customerId, customer.id));
    const byTemplate = new Map(sent.map((n) => [n.template, `${n.subject}\n${n.body}`]));
    return byTemplate.has('invoice_finalized') && byTemplate.has('payment_succeeded') ? byTemplate : null;
  });
}

test("a JPY plan's invoice and payment emails show whole yen, a BHD plan's three decimals, a CLF plan's four", async () => {
  const yen = await billedIn('JPY', 1200);
  expect(yen.get('invoice_finalized')).toContain('Invoice INV-');
  expect(yen.get('invoice_finalized')).toContain('for 1200 JPY');
  expect(yen.get('payment_succeeded')).toContain('payment of 1200 JPY');
  for (const text of yen.values()) expect(text).not.toMatch(/\d[.,]\d+ JPY/);

  const dinar = await billedIn('BHD', 12345);
  expect(dinar.get('invoice_finalized')).toContain('for 12.345 BHD');
  expect(dinar.get('payment_succeeded')).toContain('payment of 12.345 BHD');

  const unidad = await billedIn('CLF', 12345);
  expect(unidad.get('invoice_finalized')).toContain('for 1.2345 CLF');
});

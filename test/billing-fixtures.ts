import { expect } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import { runBillingCycle, type BillingReport } from '../src/billing/cycle.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventType } from '../src/events/catalog.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { PaymentResource } from '../src/payments/contract.ts';
import type { SandboxCharge } from '../src/payments/sandbox.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { customerInput, type TestPlatform } from './harness.ts';

/** Shared setup for the billing tests: plans, customers, subscriptions and checks through the API. */
export function billingFixtures(p: TestPlatform) {
  const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

  /** Calls the API and insists on `status`; the body is what the caller names (`ok<InvoiceResource>(…)`). */
  const ok = async <T = unknown>(method: string, path: string, body?: unknown, status = 200) => {
    const res = await p.call<T>(method, path, body === undefined ? {} : { body });
    if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  return {
    ok,
    async plan(overrides: Record<string, unknown> = {}) {
      const res = await p.call<PlanResource>('POST', '/v1/plans', {
        body: { code: `p-${tag()}`, name: 'Starter', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 100_000, overage_price_per_1k: 200, quota_policy: 'overage', ...overrides },
      });
      expect(res.status).toBe(201);
      return res.body;
    },
    async customer(overrides: Record<string, unknown> = {}) {
      const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(overrides) });
      expect(res.status).toBe(201);
      return res.body;
    },
    async subscribe(body: Record<string, unknown>) {
      const res = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body });
      expect(res.status).toBe(201);
      return res.body;
    },
    /** One billing pass at the clock's now, as the billing worker makes it. */
    cycle: (): Promise<BillingReport> => runBillingCycle(p.deps),
    async invoices(query: string) {
      const res = await p.call<Page<InvoiceResource>>('GET', `/v1/invoices?limit=100&${query}`);
      expect(res.status).toBe(200);
      return res.body.data.reverse(); // oldest first
    },
    async eventsOf(subject: string) {
      const res = await p.call<Page<TypedEventResource>>('GET', `/v1/events?subject=${subject}&limit=100`);
      expect(res.status).toBe(200);
      return res.body.data;
    },
    async eventTypes<T extends EventType>(type: T) {
      const res = await p.call<Page<TypedEventResource<T>>>('GET', `/v1/events?type=${type}&limit=100`);
      expect(res.status).toBe(200);
      return res.body.data;
    },
  };
}

/**
 * The money invariant, checked against the provider's own ledger: every charge it
 * holds was either refunded, or belongs to a payment that paid its invoice, and the
 * amounts agree.
 */
export async function expectEveryChargeSettled(p: TestPlatform, ledger: SandboxCharge[]) {
  for (const charge of ledger) {
    if (charge.refunded) continue;
    const payment = await p.call<PaymentResource>('GET', `/v1/payments/${charge.key}`);
    expect(payment.status).toBe(200);
    expect(payment.body.status).toBe('succeeded');
    expect(payment.body.amount).toBe(charge.amount);
    const invoice = await p.call('GET', `/v1/invoices/${payment.body.invoice_id}`);
    expect(invoice.body).toMatchObject({ status: 'paid', amount_paid: charge.amount });
  }
}

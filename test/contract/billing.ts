import { pollUntil } from '../processes.ts';
import { describe, expect, test } from 'bun:test';
import type { Page } from '../../db/paging.ts';
import type { CreditBalanceResource, InvoiceResource } from '../../src/billing/contract.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { PaymentResource } from '../../src/payments/contract.ts';
import type { PlanResource } from '../../src/plans/contract.ts';
import type { SubscriptionResource } from '../../src/subscriptions/contract.ts';
import { customerBody, expectProblem } from './client.ts';
import type { Session } from './session.ts';
import { planBody } from './subscriptions.ts';

/** Invoices, the payment saga through the sandbox provider, and the credit it earns. */
export function billingContract(s: Session) {
  describe('invoices, payments and credits', () => {
    test('a subscription without trial has an open invoice; paying it pays the invoice, activates both, and earns the first-payment credit', async () => {
      const plan = (await s.api.call<PlanResource>('POST', '/v1/plans', { body: planBody({ trial_days: 0, price_amount: 5000 }) })).body;
      // No payment method on file: the automatic attempt made as it subscribes fails without charging, the manual one below pays.
      const customer = (await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody() })).body;
      const sub = (await s.api.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.id, plan_id: plan.id } })).body;
      expect(sub.status).toBe('incomplete');

      const invoices = await s.api.call<Page<InvoiceResource>>('GET', `/v1/invoices?subscription_id=${sub.id}`);
      expect(invoices.status).toBe(200);
      expect(invoices.body.data).toHaveLength(1);
      const invoice = invoices.body.data[0]!;
      expect(invoice).toMatchObject({ object: 'invoice', customer_id: customer.id, status: 'open', billing_reason: 'subscription_create', total: 5000, amount_due: 5000, currency: 'EUR' });
      expect(invoice.number).toMatch(/^INV-\d{6}$/);
      expectProblem(await s.api.call('POST', `/v1/invoices/${invoice.id}/finalize`), 409, 'invalid_transition');

      const paid = await s.api.call<PaymentResource>('POST', `/v1/invoices/${invoice.id}/pay`, { body: { payment_method: 'tok_ok' } });
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({ object: 'payment', invoice_id: invoice.id, status: 'succeeded', amount: 5000, trigger: 'manual' });
      expect((await s.api.call<PaymentResource>('GET', `/v1/payments/${paid.body.id}`)).body).toMatchObject({ id: paid.body.id, status: 'succeeded' });
      expect((await s.api.call<Page<PaymentResource>>('GET', `/v1/invoices/${invoice.id}/payments`)).body.data.map((p) => p.id)).toContain(paid.body.id);
      expect((await s.api.call<InvoiceResource>('GET', `/v1/invoices/${invoice.id}`)).body).toMatchObject({ status: 'paid', amount_paid: 5000 });
      expect((await s.api.call<SubscriptionResource>('GET', `/v1/subscriptions/${sub.id}`)).body.status).toBe('active');
      expect((await s.api.call<CustomerResource>('GET', `/v1/customers/${customer.id}`)).body.status).toBe('active');
      expectProblem(await s.api.call('POST', `/v1/invoices/${invoice.id}/pay`), 409, 'invalid_transition');

      // The profiling worker grants 10 % of the first payment as credit once it sees payment.succeeded.
      const credits = await pollUntil('first-payment credit', async () => {
        const res = await s.api.call<CreditBalanceResource>('GET', `/v1/customers/${customer.id}/credits`);
        return res.body.balances.EUR === 500 ? res.body : null;
      });
      expect(credits.entries.map((e) => [e.reason, e.amount])).toEqual([['first_payment_bonus', 500]]);
    });
  });
}

import { describe, expect, test } from 'bun:test';
import type { EventData } from '../events/catalog.ts';
import { renderBilling } from './templates.ts';

const customer = { id: 'cus_01J00000000000000000000000', name: 'Acme' };

const finalized = (currency: string, amount: number): EventData<'invoice.finalized'> => ({
  invoice: {
    id: 'inv_01J00000000000000000000000',
    number: 'INV-000001',
    customer_id: customer.id,
    subscription_id: null,
    status: 'open',
    billing_reason: 'subscription_create',
    currency,
    period_start: '2026-01-01T00:00:00.000Z',
    period_end: '2026-02-01T00:00:00.000Z',
    subtotal: amount,
    tax: 0,
    total: amount,
    credit_applied: 0,
    wallet_applied: 0,
    amount_due: amount,
    amount_paid: 0,
    attempt_count: 0,
    next_attempt_at: null,
  },
});

const invoiceText = (currency: string, amount: number) => {
  const rendered = renderBilling('invoice.finalized', finalized(currency, amount), customer)!;
  return `${rendered.subject}\n${rendered.body}`;
};

describe("amounts in notifications use the currency's ISO 4217 minor unit", () => {
  test('JPY has no decimals: 1200 yen is shown as 1200 whole yen', () => {
    const text = invoiceText('JPY', 1200);
    expect(text).toContain('Invoice INV-000001 for 1200 JPY');
    expect(text).toContain('amount due 1200 JPY');
    expect(text).not.toMatch(/\d[.,]\d+ JPY/);
  });

  test('BHD has three decimals: 12345 fils is 12.345 BHD', () => {
    const text = invoiceText('BHD', 12345);
    expect(text).toContain('Invoice INV-000001 for 12.345 BHD');
    expect(text).toContain('credit applied 0.000 BHD');
  });

  test('EUR has two, CLF four (from the ISO table, not a guess of two)', () => {
    expect(invoiceText('EUR', 4900)).toContain('for 49.00 EUR');
    expect(invoiceText('CLF', 12345)).toContain('for 1.2345 CLF');
  });
});

describe('the subscription canceled email says why', () => {
  const canceled = (reason: EventData<'subscription.canceled'>['reason']) =>
    renderBilling('subscription.canceled', { subscription: { id: 'sub_01J00000000000000000000000' }, previous_status: 'incomplete', at_period_end: false, effective_at: '2026-01-06T00:00:00.000Z', reason } as unknown as EventData<'subscription.canceled'>, customer)!.body;

  test('an incomplete subscription that expired: its first invoice was not paid', () => {
    expect(canceled('incomplete_expired')).toContain('is canceled because its first invoice was not paid; it ends on');
    expect(canceled('requested')).not.toContain('because');
  });
});

import { html } from 'hono/html';
import { invoiceStatuses } from '../../../db/schema/index.ts';
import { collectionSettings } from '../../billing/collection-settings.ts';
import { listInvoicesQuery, payInvoiceInput, type InvoiceResource } from '../../billing/contract.ts';
import { finalizeInvoiceNow } from '../../billing/finalize.ts';
import { nextInvoiceStatus } from '../../billing/lifecycle.ts';
import { payInvoice } from '../../billing/pay.ts';
import { getInvoice, listInvoicePayments, listInvoices } from '../../billing/queries.ts';
import { voidInvoice } from '../../billing/void.ts';
import { access } from '../../http/access.ts';
import { usageLineDetails } from '../../invoice-documents/content.ts';
import { formCommand, formFields, parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { actionButton, badge, can, csrfField, facts, page, pager, redirectWith, table } from '../ui.ts';
import { beforeCommand, filterForm, link, money, queryFields, when, wrapTitle } from './billing-kit.ts';

const SECTION = '/admin/invoices';

const label = (i: InvoiceResource) => i.number ?? i.id;

/** A line's description; a usage charge's unit price and tiers under it, as its PDF prints them. */
function describeLine(line: InvoiceResource['lines'][number], currency: string) {
  const { unitPrice, breakdown = [] } = usageLineDetails({ unitPrice: line.unit_price, pricing: line.pricing }, currency, 'en-US');
  const details = [...(unitPrice ? [`Unit price: ${unitPrice}`] : []), ...breakdown];
  if (details.length === 0) return html`${line.description}`;
  return html`${line.description}<ul class="muted" data-test="usage-breakdown">${details.map((d) => html`<li>${d}</li>`)}</ul>`;
}

/** Invoices: by status, one with its lines and payments, and finalize, void and retry-payment where the lifecycle allows them. */
export const invoicesSection: AdminSection = (app) => {
  app.get('/invoices', access('viewer'), async (c) => {
    const invoices = await listInvoices(c.get('deps').db, parseForm(listInvoicesQuery, queryFields(c)));
    const rows = invoices.data.map((i) => [
      link(`/admin/invoices/${i.id}`, label(i), 'invoice-link'),
      badge(i.status),
      html`${i.customer_id}`,
      html`${money(i.total, i.currency)}`,
      html`${money(i.amount_due - i.amount_paid, i.currency)}`,
      when(i.next_attempt_at),
      when(i.created_at),
    ]);
    return page(c, {
      title: 'Invoices',
      section: SECTION,
      body: html`<div class="card">
        ${filterForm(c, SECTION, [
          { name: 'status', label: 'Status', kind: 'select', options: invoiceStatuses },
          { name: 'customer_id', label: 'Customer', kind: 'text', placeholder: 'cus_…' },
          { name: 'subscription_id', label: 'Subscription', kind: 'text', placeholder: 'sub_…' },
        ])}
        <div data-test="invoices">${table(['Invoice', 'Status', 'Customer', 'Total', 'Outstanding', 'Next attempt', 'Created'], rows, 'No invoices match.')}</div>
        ${pager(c, invoices.next_cursor)}</div>`,
    });
  });

  app.get('/invoices/:id', access('viewer'), async (c) => {
    const db = c.get('deps').db;
    const invoice = await getInvoice(db, c.req.param('id'));
    const payments = await listInvoicePayments(db, invoice.id);
    const inFlight = payments.data.some((p) => p.status === 'pending' || p.status === 'charged');
    const cur = invoice.currency;
    const canPay = nextInvoiceStatus(invoice.status, 'pay') !== null && invoice.amount_due > 0 && !inFlight;
    const actions = html`<div class="actions" data-test="invoice-actions">
      ${nextInvoiceStatus(invoice.status, 'finalize') ? actionButton(c, 'operator', `/admin/invoices/${invoice.id}/finalize`, 'Finalize', { test: 'finalize' }) : ''}
      ${nextInvoiceStatus(invoice.status, 'void') ? actionButton(c, 'operator', `/admin/invoices/${invoice.id}/void`, 'Void', { danger: true, test: 'void' }) : ''}
      ${canPay && can(c, 'operator')
        ? html`<form class="inline pay" method="post" action="/admin/invoices/${invoice.id}/pay" data-test="retry-payment-form">${csrfField(c)}
            <input name="payment_method" placeholder="token (blank: the one on file)" aria-label="Payment method token" data-test="payment-method">
            <button type="submit" data-test="retry-payment">Retry payment</button></form>`
        : ''}
    </div>`;
    const lines = invoice.lines.map((l) => [html`${l.kind}`, describeLine(l, cur), html`${l.quantity.toLocaleString('en')}`, html`${when(l.period_start)} → ${when(l.period_end)}`, html`${money(l.amount, cur)}`]);
    const attempts = payments.data.map((p) => {
      const failed = [...p.steps].reverse().find((s) => s.outcome === 'failed');
      return [link(`/admin/payments/${p.id}`, p.id, 'payment-link'), badge(p.status), html`${p.trigger} #${p.attempt}`, html`${money(p.amount, p.currency)}`, html`${p.failure_code ?? ''}${failed ? html` (step ${failed.name})` : ''}`, when(p.created_at)];
    });
    return page(c, {
      title: `Invoice ${label(invoice)}`,
      section: SECTION,
      body: html`${wrapTitle}<style>form.pay input { width:auto; max-width:16rem; }</style>
      <div class="card" data-test="invoice">
        ${facts([
          ['Status', html`<span data-test="invoice-status">${badge(invoice.status)}</span>`],
          ['Number', invoice.number],
          ['Customer', invoice.customer_id],
          ['Subscription', invoice.subscription_id ? link(`/admin/subscriptions/${invoice.subscription_id}`, invoice.subscription_id) : null],
          ['Reason', invoice.billing_reason],
          ['Period', html`${when(invoice.period_start)} → ${when(invoice.period_end)}`],
          ['Subtotal', money(invoice.subtotal, cur)],
          ['Tax', `${money(invoice.tax, cur)} (${invoice.tax_rate_bps / 100} %)`],
          ['Total', money(invoice.total, cur)],
          ['Credit applied', money(invoice.credit_applied, cur)],
          ['Wallet applied', money(invoice.wallet_applied, cur)],
          ['Amount due', money(invoice.amount_due, cur)],
          ['Paid', money(invoice.amount_paid, cur)],
          ['Collected automatically', invoice.auto_collect ? 'yes' : 'no'],
          ['Automatic attempts', invoice.attempt_count],
          ['Next automatic attempt', html`<span data-test="next-attempt">${when(invoice.next_attempt_at)}</span>`],
          ['Created', when(invoice.created_at)],
          ['Finalized', when(invoice.finalized_at)],
          ['Paid at', when(invoice.paid_at)],
          ['Voided', when(invoice.voided_at)],
        ])}
        ${actions}
      </div>
      <h2>Lines</h2>
      <div class="card" data-test="lines">${table(['Kind', 'Description', 'Quantity', 'Period', 'Amount'], lines, 'No lines.')}</div>
      <h2>Payments</h2>
      <div class="card" data-test="payments">${table(['Payment', 'Status', 'Attempt', 'Amount', 'Failure', 'Started'], attempts, 'No payment attempts yet.')}</div>`,
    });
  });

  app.post('/invoices/:id/finalize', access('operator'), (c) => {
    const id = c.req.param('id');
    return formCommand(c, `/admin/invoices/${id}`, (i: InvoiceResource) => `Finalized as ${i.number}.`, (ctx) => finalizeInvoiceNow(ctx, id));
  });

  app.post('/invoices/:id/void', access('operator'), (c) => {
    const id = c.req.param('id');
    return formCommand(c, `/admin/invoices/${id}`, 'Invoice voided.', (ctx) => voidInvoice(ctx, id));
  });

  // The payment saga commits before and after the provider call, so it runs outside formCommand's one transaction, as the API's route runs it.
  app.post('/invoices/:id/pay', access('operator'), async (c) => {
    const id = c.req.param('id');
    const back = `/admin/invoices/${id}`;
    const fields = await formFields(c);
    const paid = await beforeCommand(c, back, () =>
      payInvoice(c.get('ctx'), id, parseForm(payInvoiceInput, fields.payment_method ? { payment_method: fields.payment_method } : {}), collectionSettings(c.get('ctx'), c.get('deps').payments)),
    );
    if (!paid.ok) return paid.response;
    const payment = paid.value;
    return redirectWith(c, `/admin/payments/${payment.id}`, payment.status === 'succeeded' ? { notice: 'Payment succeeded; the invoice is paid.' } : { error: `Payment ${payment.status}: ${payment.failure_message ?? payment.failure_code ?? ''}` });
  });
};

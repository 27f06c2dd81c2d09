import { html } from 'hono/html';
import { getInvoice } from '../../billing/queries.ts';
import { access } from '../../http/access.ts';
import { getPayment } from '../../payments/queries.ts';
import type { AdminSection } from '../routes.ts';
import { badge, facts, page, table } from '../ui.ts';
import { jsonBlock, link, money, when, wrapTitle } from './billing-kit.ts';

/** A payment: each step of its saga with the outcome, and when collection failed, the dunning date of the next attempt. */
export const paymentsSection: AdminSection = (app) => {
  app.get('/payments/:id', access('viewer'), async (c) => {
    const db = c.get('deps').db;
    const payment = await getPayment(db, c.req.param('id'));
    const invoice = await getInvoice(db, payment.invoice_id);
    const steps = payment.steps.map((s) => [html`${s.seq}`, html`<span data-test="step-name">${s.name}</span>`, html`<span data-test="step-outcome">${badge(s.outcome)}</span>`, Object.keys(s.detail).length ? jsonBlock(s.detail, 'step-detail') : html``, when(s.at)]);
    // Dunning belongs to the invoice: after a failed attempt its next automatic attempt is the retry date.
    const dunning =
      payment.status === 'failed'
        ? html`<div class="card dunning" data-test="dunning">${invoice.status === 'open' && invoice.next_attempt_at
            ? html`<p>Collection failed. Next automatic attempt (dunning): <strong data-test="dunning-date">${when(invoice.next_attempt_at)}</strong>, attempt ${invoice.attempt_count + 1}.</p>`
            : html`<p>Collection failed. No automatic attempt is scheduled: the invoice is ${invoice.status}${invoice.status === 'open' ? ' and dunning has given up or it is not collected automatically' : ''}.</p>`}</div>`
        : '';
    return page(c, {
      title: `Payment ${payment.id}`,
      section: '/admin/invoices',
      body: html`${wrapTitle}<style>.dunning { border-color:#f2c94c; background:#fffaeb; } .dunning p { margin:0; }</style>
      ${dunning}
      <div class="card" data-test="payment">
        ${facts([
          ['Status', html`<span data-test="payment-status">${badge(payment.status)}</span>`],
          ['Invoice', link(`/admin/invoices/${invoice.id}`, invoice.number ?? invoice.id, 'payment-invoice')],
          ['Customer', payment.customer_id],
          ['Amount', money(payment.amount, payment.currency)],
          ['Trigger', `${payment.trigger}, attempt ${payment.attempt}`],
          ['Failure', payment.failure_code ? html`<span data-test="failure">${payment.failure_code}: ${payment.failure_message}</span>` : null],
          ['Provider', `${payment.provider}${payment.provider_reference ? ` · ${payment.provider_reference}` : ''}`],
          ['Refund', payment.refund_reference],
          ['Started', when(payment.created_at)],
          ['Updated', when(payment.updated_at)],
        ])}
      </div>
      <h2>Saga steps</h2>
      <div class="card" data-test="steps">${table(['#', 'Step', 'Outcome', 'Detail', 'At'], steps, 'No steps yet.')}</div>`,
    });
  });
};

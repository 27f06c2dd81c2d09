import { html } from 'hono/html';
import { subscriptionStatuses } from '../../../db/schema/index.ts';
import { listInvoices } from '../../billing/queries.ts';
import { collectionSettings } from '../../billing/collection-settings.ts';
import { subscribe } from '../../billing/subscribe.ts';
import { listInvoicesQuery } from '../../billing/contract.ts';
import { access } from '../../http/access.ts';
import { listPlans } from '../../plans/queries.ts';
import { cancelSubscription } from '../../subscriptions/cancel.ts';
import { cancelSubscriptionInput, createSubscriptionInput, listSubscriptionsQuery, type SubscriptionResource } from '../../subscriptions/contract.ts';
import { getSubscription, listSubscriptions } from '../../subscriptions/queries.ts';
import { formCommand, formFields, parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { actionButton, badge, can, csrfField, facts, page, pager, redirectWith, table, type Html } from '../ui.ts';
import { pricingPanels } from './subscription-pricing.ts';
import { beforeCommand, filterForm, link, money, queryFields, when, wrapTitle } from './billing-kit.ts';

const SECTION = '/admin/subscriptions';

/** Subscriptions: the list by status, one with its invoices, subscribing a customer and cancelling. */
export const subscriptionsSection: AdminSection = (app) => {
  app.get('/subscriptions', access('viewer'), async (c) => {
    const db = c.get('deps').db;
    const subs = await listSubscriptions(db, parseForm(listSubscriptionsQuery, queryFields(c)));
    let form: Html | '' = '';
    if (can(c, 'operator')) {
      // Subscribing takes an active plan: the current ones, as the API lists them.
      const plans = await listPlans(db, { status: 'active', limit: 100 });
      form = html`<div class="card"><h2>Subscribe a customer</h2>
        <form method="post" action="/admin/subscriptions" class="filters" data-test="subscribe">${csrfField(c)}
          <div><label for="customer_id">Customer id</label><input id="customer_id" name="customer_id" required placeholder="cus_…" value="${c.req.query('customer_id') ?? ''}"></div>
          <div><label for="plan_id">Plan</label><select id="plan_id" name="plan_id" required>${plans.data.map((p) => html`<option value="${p.id}">${p.code} · ${p.name} (${money(p.price.amount, p.price.currency)} / ${p.interval})</option>`)}</select></div>
          <div><label for="currency">Currency</label><input id="currency" name="currency" maxlength="3" placeholder="the customer's, else the plan's" data-test="subscribe-currency"></div>
          <div><label><input type="checkbox" name="trial" value="true" checked style="width:auto"> with the plan's trial</label></div>
          <div><button type="submit" data-test="subscribe-submit">Subscribe</button></div>
        </form></div>`;
    }
    const rows = subs.data.map((s) => [
      link(`/admin/subscriptions/${s.id}`, s.id, 'subscription-link'),
      html`${s.customer_id}`,
      link(`/admin/plans/${s.plan_id}`, `${s.plan_id} v${s.plan_version}`),
      badge(s.status),
      html`${when(s.current_period_start)} → ${when(s.current_period_end)}`,
      s.cancel_at_period_end ? html`ends with its period` : html``,
    ]);
    return page(c, {
      title: 'Subscriptions',
      section: SECTION,
      body: html`${form}<div class="card">
        ${filterForm(c, SECTION, [
          { name: 'status', label: 'Status', kind: 'select', options: subscriptionStatuses },
          { name: 'customer_id', label: 'Customer', kind: 'text', placeholder: 'cus_…' },
          { name: 'plan_id', label: 'Plan', kind: 'text', placeholder: 'pln_…' },
        ])}
        <div data-test="subscriptions">${table(['Subscription', 'Customer', 'Plan', 'Status', 'Current period', ''], rows, 'No subscriptions match.')}</div>
        ${pager(c, subs.next_cursor)}</div>`,
    });
  });

  app.post('/subscriptions', access('operator'), async (c) => {
    const fields = await formFields(c);
    // A blank currency is the customer's (or, for its first subscription, the plan's default).
    const input = { customer_id: fields.customer_id ?? '', plan_id: fields.plan_id ?? '', trial: fields.trial === 'true', ...(fields.currency?.trim() ? { currency: fields.currency } : {}) };
    // Subscribing collects the first invoice, whose payment saga commits before and after the provider call: outside formCommand's one transaction.
    const subscribed = await beforeCommand(c, SECTION, () => subscribe(c.get('ctx'), parseForm(createSubscriptionInput, input), collectionSettings(c.get('ctx'), c.get('deps').payments)));
    if (!subscribed.ok) return subscribed.response;
    return redirectWith(c, `/admin/subscriptions/${subscribed.value.id}`, { notice: `Subscribed: ${subscribed.value.status}.` });
  });

  app.get('/subscriptions/:id', access('viewer'), async (c) => {
    const db = c.get('deps').db;
    const sub = await getSubscription(db, c.req.param('id'));
    const invoices = await listInvoices(db, parseForm(listInvoicesQuery, { ...queryFields(c), subscription_id: sub.id }));
    const live = sub.status !== 'canceled';
    const rows = invoices.data.map((i) => [link(`/admin/invoices/${i.id}`, i.number ?? i.id, 'invoice-link'), badge(i.status), html`${i.billing_reason}`, html`${money(i.total, i.currency)}`, html`${money(i.amount_due, i.currency)}`, when(i.created_at)]);
    return page(c, {
      title: `Subscription ${sub.id}`,
      section: SECTION,
      body: html`${wrapTitle}<div class="card" data-test="subscription">
        ${facts([
          ['Status', badge(sub.status)],
          ['Customer', link(`/admin/customers/${sub.customer_id}`, sub.customer_id, 'subscription-customer')],
          ['Plan', link(`/admin/plans/${sub.plan_id}`, `${sub.plan_id} v${sub.plan_version}`)],
          ['Current period', html`${when(sub.current_period_start)} → ${when(sub.current_period_end)}`],
          ['Trial ends', when(sub.trial_end)],
          ['Ends with its period', sub.cancel_at_period_end ? 'yes' : 'no'],
          ['Canceled', when(sub.canceled_at)],
          ['Created', when(sub.created_at)],
        ])}
        <div class="actions">${live ? actionButton(c, 'operator', `/admin/subscriptions/${sub.id}/cancel`, 'Cancel now', { danger: true, test: 'cancel-now' }) : ''}
          ${live && !sub.cancel_at_period_end ? actionButton(c, 'operator', `/admin/subscriptions/${sub.id}/cancel`, 'Cancel at period end', { fields: { at_period_end: 'true' }, test: 'cancel-at-period-end' }) : ''}</div>
      </div>
      ${pricingPanels(c, sub)}
      <h2>Invoices</h2>
      <div class="card" data-test="subscription-invoices">${table(['Invoice', 'Status', 'Reason', 'Total', 'Due', 'Created'], rows, 'No invoices yet.')}${pager(c, invoices.next_cursor)}</div>`,
    });
  });

  app.post('/subscriptions/:id/cancel', access('operator'), async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    const input = parseForm(cancelSubscriptionInput, { at_period_end: fields.at_period_end === 'true' });
    return formCommand(c, `/admin/subscriptions/${id}`, input.at_period_end ? 'The subscription ends with its period.' : 'Subscription canceled.', (ctx) => cancelSubscription(ctx, id, input));
  });
};

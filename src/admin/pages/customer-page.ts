import type { Context } from 'hono';
import { html } from 'hono/html';
import type { CustomerResource } from '../../customers/contract.ts';
import { nextSegment, nextStatus, type Transition } from '../../customers/lifecycle.ts';
import { getCustomer } from '../../customers/queries.ts';
import type { AppEnv } from '../../http/env.ts';
import { actionButton, badge, can, csrfField, facts, page, type Html } from '../ui.ts';
import { code, when } from './customers-format.ts';
import { livePanel, notificationsFragment, timelineFragment } from './customer-live.ts';
import { creditsPanel, entitlementsPanel, invoicesPanel, paymentsPanel, profilePanel, subscriptionsPanel, usersPanel, walletPanel } from './customer-panels.ts';
import { testClockTimeOf } from '../../customers/clock.ts';

/** Each lifecycle action as the page offers it; erasing asks for a confirmation first. */
const ACTIONS: { transition: Transition; label: string; danger?: boolean }[] = [
  { transition: 'activate', label: 'Activate' },
  { transition: 'promote', label: 'Promote' },
  { transition: 'deactivate', label: 'Deactivate', danger: true },
  { transition: 'erase', label: 'Erase', danger: true },
];

/** Whether the lifecycle allows `transition` now (promotion also needs a segment above). */
export function isLegal(customer: CustomerResource, transition: Transition): boolean {
  if (nextStatus(customer.status, transition) === null) return false;
  return transition !== 'promote' || nextSegment(customer.segment) !== null;
}

/** The lifecycle actions legal from the customer's state, for roles that may use them. */
function lifecycleActions(c: Context<AppEnv>, customer: CustomerResource): Html | '' {
  if (!can(c, 'operator')) return '';
  const base = `/admin/customers/${customer.id}`;
  const buttons = ACTIONS.filter((a) => isLegal(customer, a.transition)).map((a) =>
    a.transition === 'erase'
      ? html`<details class="erase"><summary data-test="erase-open">Erase…</summary><form method="post" action="${base}/erase">${csrfField(c)}
          <label><input type="checkbox" name="confirm" value="yes" required> Remove this customer's personal data for good, cancel its subscriptions and void its drafts</label>
          <button type="submit" class="danger" data-test="erase">Erase</button></form></details>`
      : actionButton(c, 'operator', `${base}/${a.transition}`, a.label, { danger: a.danger, test: a.transition }),
  );
  return buttons.length ? html`<div class="actions" data-test="lifecycle-actions">${buttons}</div>` : '';
}

const PAGE_CSS = html`<style>
  .customer-grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap:0 1rem; }
  .customer-grid > .card { min-width:0; }
  .card h2 { margin-top:0; }
  td code, .muted code { font-size:.8rem; overflow-wrap:anywhere; }
  meter { width:100%; max-width:12rem; }
  ol.steps { margin:.3rem 0 0; padding-left:1.3rem; }
  .payment { padding:.5rem 0; border-bottom:1px solid var(--line); }
  ul.reasons { margin:0; padding-left:1.1rem; }
  details.erase { display:inline-block; }
  details.erase summary { cursor:pointer; color:var(--danger); padding:.4rem 0; }
  details.erase label { color:var(--fg); }
  details.erase input[type=checkbox] { width:auto; }
</style>`;

/** A titled card. */
const card = (id: string, title: string, content: Html | Promise<Html>) => html`<section class="card" id="${id}" data-test="panel-${id}"><h2>${title}</h2>${content}</section>`;

/**
 * A customer's page: its facts and the lifecycle actions legal from its state; profile,
 * users, subscriptions with usage, invoices, payments with their saga steps, credit;
 * notifications and the timeline of every event about it, both refreshed every 2 s.
 */
export async function customerPage(c: Context<AppEnv>, id: string) {
  const { db, clock } = c.get('deps');
  const customer = await getCustomer(db, id);
  const eventsCursor = c.req.query('events') || undefined;
  const timelineUrl = `/admin/customers/${id}/timeline${eventsCursor ? `?cursor=${encodeURIComponent(eventsCursor)}` : ''}`;
  // A sandbox customer's current period is the one its test clock is in.
  const customerNow = customer.test_clock_id ? ((await testClockTimeOf(db, id)) ?? clock.now()) : clock.now();
  const [profile, users, subscriptions, invoices, payments, credits, wallet, entitlements, notifications, timeline] = await Promise.all([
    profilePanel(db, id),
    usersPanel(db, id),
    subscriptionsPanel(db, id, clock.now()),
    invoicesPanel(db, id),
    paymentsPanel(db, id),
    creditsPanel(db, id),
    walletPanel(db, id),
    entitlementsPanel(db, id, customerNow),
    notificationsFragment(db, id),
    timelineFragment(db, id, eventsCursor),
  ]);
  return page(c, {
    title: customer.name ?? `Erased customer`,
    section: '/admin/customers',
    body: html`${PAGE_CSS}
      <p><a href="/admin/customers">← Customers</a></p>
      <section class="card" data-test="customer-facts">
        ${facts([
          ['Status', html`<span data-test="customer-status">${badge(customer.status)}</span>`],
          ['Segment', customer.segment],
          ['Kind', customer.kind],
          ['Email', customer.email],
          ['Country', customer.country],
          ['Phone', customer.phone],
          ['Tax rate', `${customer.tax_rate_bps / 100} %`],
          ['Billing currency', html`<span data-test="customer-currency">${customer.currency ?? 'not set yet (its first subscription sets it)'}</span>`],
          ...(customer.test_clock_id ? ([['Test clock', html`<span data-test="customer-test-clock">sandbox on ${code(customer.test_clock_id)}</span>`]] as [string, Html | string][]) : []),
          ['Payment method', customer.payment_method],
          ['Id', code(customer.id)],
          ['Onboarded', when(customer.created_at)],
          ['Updated', when(customer.updated_at)],
          ...(customer.erased_at ? ([['Erased', when(customer.erased_at)]] as [string, Html | string][]) : []),
        ])}
        ${lifecycleActions(c, customer)}
      </section>
      <div class="customer-grid">
        ${card('profile', 'Profile', profile)}
        ${card('users', 'Users', users)}
      </div>
      ${card('subscriptions', 'Subscriptions', subscriptions)}
      ${card('invoices', 'Invoices', invoices)}
      <div class="customer-grid">
        ${card('payments', 'Payments', payments)}
        ${card('credit', 'Credit', credits)}
      </div>
      <div class="customer-grid">
        ${card('wallet', 'Wallet', wallet)}
        ${card('entitlements', 'Entitlements', entitlements)}
      </div>
      ${card('notifications', 'Notifications', livePanel(`/admin/customers/${id}/notifications`, 'notifications', notifications))}
      ${card('timeline', 'Timeline', livePanel(timelineUrl, 'timeline', timeline))}`,
  });
}

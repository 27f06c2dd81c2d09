import { html } from 'hono/html';
import type { Executor } from '../../../db/client.ts';
import { getCreditBalance, listInvoices } from '../../billing/queries.ts';
import { getCustomerEntitlements } from '../../entitlements/queries.ts';
import { orNothing } from '../errors.ts';
import { listCustomerPayments } from '../../payments/queries.ts';
import { getProfile } from '../../profiling/queries.ts';
import { listCustomerSubscriptions } from '../../subscriptions/queries.ts';
import { getSubscriptionUsage } from '../../usage/queries.ts';
import { listUsers } from '../../users/queries.ts';
import { getWallet } from '../../wallets/queries.ts';
import { badge, facts, table, type Html } from '../ui.ts';
import { amount, code, moreHint, text, when } from './customers-format.ts';

const FIRST_PAGE = { limit: 20 };


/** The profiling worker's segment and risk score, each with its reasons. */
export async function profilePanel(db: Executor, customerId: string): Promise<Html> {
  const profile = await orNothing(getProfile(db, customerId));
  if (!profile) return html`<p class="muted" data-test="profile">Not profiled yet: the profiling worker profiles a customer shortly after each change.</p>`;
  const reasons = (list: string[]) => (list.length ? html`<ul class="reasons">${list.map((r) => html`<li>${r}</li>`)}</ul>` : html`<span class="muted">none given</span>`);
  return html`<div data-test="profile">${facts([
    ['Segment', profile.segment],
    ['Why this segment', reasons(profile.segment_reasons)],
    ['Risk score', String(profile.risk_score)],
    ['Why this risk', reasons(profile.risk_reasons)],
    ['Computed', when(profile.computed_at)],
  ])}</div>`;
}

/** The customer's users (not removed), newest first. */
export async function usersPanel(db: Executor, customerId: string): Promise<Html> {
  const users = await listUsers(db, customerId, FIRST_PAGE);
  const rows = users.data.map((u) => [text(u.name), text(u.email), text(u.role), badge(u.status), when(u.created_at)]);
  return html`${table(['Name', 'Email', 'Role', 'Status', 'Since'], rows, 'No users.')}${moreHint(users.has_more, `GET /v1/customers/${customerId}/users`)}`;
}

/** Subscriptions, each with this period's usage against the tokens its plan version includes. */
export async function subscriptionsPanel(db: Executor, customerId: string, now: number): Promise<Html> {
  const subs = await listCustomerSubscriptions(db, customerId, FIRST_PAGE);
  const rows = await Promise.all(
    subs.data.map(async (s) => {
      const usage = await orNothing(getSubscriptionUsage(db, s.id, now, false));
      const used = usage
        ? html`<meter min="0" max="${Math.max(usage.included_tokens, 1)}" value="${Math.min(usage.used_tokens, Math.max(usage.included_tokens, 1))}" title="${usage.used_tokens} of ${usage.included_tokens}"></meter>
            <div data-test="usage">${usage.used_tokens.toLocaleString('en')} of ${usage.included_tokens.toLocaleString('en')} tokens${usage.trial ? ' (trial)' : ''}</div>
            ${usage.overage_tokens > 0 ? html`<div class="muted">${usage.overage_tokens.toLocaleString('en')} over: ${amount(usage.overage_charge.amount, usage.overage_charge.currency)}${usage.quota_policy === 'block' ? ', blocked' : ''}</div>` : ''}`
        : html`<span class="muted">—</span>`;
      return [html`<a href="/admin/subscriptions/${s.id}" data-test="customer-subscription-link">${code(s.id)}</a>`, html`${code(s.plan_id)} v${s.plan_version}`, badge(s.status), html`${when(s.current_period_start)} → ${when(s.current_period_end)}`, used];
    }),
  );
  return html`${table(['Subscription', 'Plan', 'Status', 'Current period', 'Usage this period'], rows, 'No subscriptions.')}${moreHint(subs.has_more, `GET /v1/customers/${customerId}/subscriptions`)}`;
}

/** The customer's invoices, newest first. */
export async function invoicesPanel(db: Executor, customerId: string): Promise<Html> {
  const invoices = await listInvoices(db, { ...FIRST_PAGE, customer_id: customerId });
  const rows = invoices.data.map((i) => [
    html`${i.number ?? 'draft'}<br>${code(i.id)}`,
    badge(i.status),
    html`${when(i.period_start)} → ${when(i.period_end)}`,
    text(amount(i.total, i.currency)),
    text(amount(i.status === 'open' ? Math.max(i.amount_due - i.amount_paid, 0) : 0, i.currency)),
    i.next_attempt_at ? html`attempt ${i.attempt_count + 1} at ${when(i.next_attempt_at)}` : text(i.attempt_count ? `${i.attempt_count} attempts` : null),
  ]);
  return html`${table(['Invoice', 'Status', 'Period', 'Total', 'Outstanding', 'Collection'], rows, 'No invoices.')}${moreHint(invoices.has_more, `GET /v1/invoices?customer_id=${customerId}`)}`;
}

/** The customer's payments, newest first, each with the steps of its saga in order. */
export async function paymentsPanel(db: Executor, customerId: string): Promise<Html> {
  const payments = await listCustomerPayments(db, customerId, FIRST_PAGE);
  if (payments.data.length === 0) return html`<p class="muted">No payments.</p>`;
  return html`${payments.data.map(
    (p) => html`<div class="payment" data-test="payment">
      <div><strong>${amount(p.amount, p.currency)}</strong> ${badge(p.status)} <span class="muted">${p.trigger}, attempt ${p.attempt}, on ${code(p.invoice_id)} · ${when(p.created_at)}</span></div>
      ${p.failure_message ? html`<div class="muted">Failed: ${p.failure_message}${p.failure_code ? ` (${p.failure_code})` : ''}</div>` : ''}
      <ol class="steps">${p.steps.map((s) => html`<li data-test="saga-step">${s.name} ${badge(s.outcome)} <span class="muted">${when(s.at)}</span></li>`)}</ol>
    </div>`,
  )}${moreHint(payments.has_more, `GET /v1/customers/${customerId}/payments`)}`;
}

/** The credit ledger, oldest first, with the balance per currency. */
export async function creditsPanel(db: Executor, customerId: string): Promise<Html> {
  const credit = await getCreditBalance(db, customerId);
  const balances = Object.entries(credit.balances);
  const rows = credit.entries.map((e) => [when(e.created_at), text(e.reason), text(e.description ?? ''), e.invoice_id ? code(e.invoice_id) : text(null), text(amount(e.amount, e.currency))]);
  return html`<p data-test="credit-balance">Balance: ${balances.length ? balances.map(([currency, minor]) => amount(minor, currency)).join(', ') : 'none'}</p>
    ${table(['At', 'Reason', 'Description', 'Invoice', 'Amount'], rows, 'No credit entries.')}`;
}

/** The prepaid wallet per currency: balance, auto top-up and the grants that will expire. */
export async function walletPanel(db: Executor, customerId: string): Promise<Html> {
  const wallet = await getWallet(db, customerId);
  if (wallet.balances.length === 0) return html`<p class="muted" data-test="wallet">No wallet: a top-up or a grant opens one.</p>`;
  const rows = wallet.balances.map((b) => [
    text(b.currency),
    html`<span data-test="wallet-balance-${b.currency}">${amount(b.balance, b.currency)}</span>`,
    text(b.auto_top_up.enabled ? `${amount(b.auto_top_up.amount, b.currency)} under ${amount(b.auto_top_up.threshold, b.currency)}` : 'off'),
    text(b.expiring.length ? b.expiring.map((e) => `${amount(e.remaining, b.currency)} on ${e.expires_at.slice(0, 10)}`).join(', ') : 'none'),
  ]);
  return html`<div data-test="wallet">${table(['Currency', 'Balance', 'Auto top-up', 'Expiring'], rows, 'No wallet.')}</div>`;
}

/** The current subscription's entitlements: the plan's and the overrides, metered ones with what is left this period. */
export async function entitlementsPanel(db: Executor, customerId: string, now: number): Promise<Html> {
  const list = await getCustomerEntitlements(db, customerId, now);
  const rows = list.data.map((e) => [
    code(e.feature),
    text(e.type),
    text(e.type === 'metered' ? (e.limit === undefined ? `${e.used ?? 0} used, no limit` : `${e.used ?? 0} of ${e.limit} used, ${e.remaining ?? 0} left`) : e.value === undefined ? 'on' : String(e.value)),
    text(e.source),
  ]);
  return html`<div data-test="entitlements">${table(['Feature', 'Type', 'This period / value', 'From'], rows, 'No entitlements: no current subscription, or its plan has none.')}</div>`;
}

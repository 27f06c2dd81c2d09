import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Executor } from '../../../db/client.ts';
import type { AppEnv } from '../../http/env.ts';
import { orNothing } from '../errors.ts';
import { formatMoney, type Money } from '../../kernel/money.ts';
import { getPricesInForce, listPriceOverrideVersions } from '../../price-overrides/queries.ts';
import type { PriceOverrideResource } from '../../price-overrides/contract.ts';
import type { AdjustmentResource, SubscriptionResource } from '../../subscriptions/contract.ts';
import { listAddOns, listPendingAdjustments } from '../../subscriptions/queries.ts';
import { seatPriceOf } from '../../subscriptions/seat-price.ts';
import type { UsageMeterResource, UsagePeriodResource } from '../../usage/contract.ts';
import { getSubscriptionUsage } from '../../usage/queries.ts';
import { actionButton, can, csrfField, facts, table, type Html } from '../ui.ts';
import { chargeCards, priceOf } from './charges.ts';
import { link, money, when } from './billing-kit.ts';

/**
 * A subscription's pricing on its dashboard page: seats and the seat price in force, add-ons,
 * negotiated prices (the version in force, the history, a form) and the usage so far this
 * period per meter with its charge. Read through the API's own queries; the forms post to
 * src/admin/pages/subscription-commands.ts, which calls the API's verbs.
 */


const dimensionsText = (d: Record<string, string> | null) =>
  d === null || Object.keys(d).length === 0 ? html`<span class="muted">none</span>` : Object.entries(d).map(([k, v]) => html`<code>${k}</code> = ${v}`).reduce((a, b) => html`${a}, ${b}`);

/** A proration line as the notice after a change tells it: "+27.00 USD (3 more seats × …)". */
export const prorationText = (lines: readonly AdjustmentResource[]) =>
  lines.length === 0 ? 'No proration.' : `Proration: ${lines.map((l) => `${l.amount.amount > 0 ? '+' : ''}${formatMoney(l.amount)} (${l.description})`).join('; ')}.`;

/** Seats: the licensed count, the seat price in force and whose it is, what a period's seats come to; the form to change them. */
function seatsCard(c: Context<AppEnv>, sub: SubscriptionResource, seatPrice: Money, negotiated: boolean, pending: AdjustmentResource[], live: boolean): Html {
  const priceText = seatPrice.amount === 0 ? 'seats are not billed' : `${formatMoney(seatPrice)} / seat (${negotiated ? 'negotiated' : "the plan's"})`;
  const form =
    live && can(c, 'operator')
      ? html`<form method="post" action="/admin/subscriptions/${sub.id}/seats" class="filters" data-test="change-seats">${csrfField(c)}
          <div><label for="seats">Seats</label><input id="seats" name="seats" inputmode="numeric" required value="${sub.seats}"></div>
          <div><button type="submit" data-test="change-seats-submit">Change seats</button></div>
        </form>`
      : '';
  const rows = pending.map((a) => [html`${a.kind}`, html`${a.description}`, html`<span data-test="adjustment-amount">${formatMoney(a.amount)}</span>`, when(a.created_at)]);
  return html`<section class="card" data-test="seats"><h2>Seats</h2>
    ${facts([
      ['Licensed seats', html`<span data-test="seat-count">${sub.seats}</span>`],
      ['Seat price in force', html`<span data-test="seat-price-in-force">${priceText}</span>`],
      ['Seats per period', html`<span data-test="seats-amount">${seatPrice.amount === 0 ? '—' : `${sub.seats} × ${formatMoney(seatPrice)} = ${money(seatPrice.amount * sub.seats, seatPrice.currency)}`}</span>`],
    ])}
    ${form}
    <h3>Waiting for the next invoice</h3>
    <div data-test="pending-adjustments">${table(['Kind', 'Description', 'Amount', 'At'], rows, 'No proration lines waiting.')}</div>
  </section>`;
}

/** Add-ons, removed ones too; attach and remove for operators while the subscription is live. */
async function addOnsCard(c: Context<AppEnv>, db: Executor, sub: SubscriptionResource, live: boolean): Promise<Html> {
  const addOns = await listAddOns(db, sub.id, { limit: 100, ...(c.req.query('add_ons') ? { cursor: c.req.query('add_ons') } : {}) });
  const rows = addOns.data.map((a) => [
    html`<code>${a.code}</code>`,
    html`${a.name}`,
    html`<span data-test="add-on-amount">${a.quantity} × ${money(a.unit_amount, a.currency)} = ${money(a.quantity * a.unit_amount, a.currency)}</span>`,
    when(a.created_at),
    when(a.removed_at),
    html`${a.removed_at === null && live ? actionButton(c, 'operator', `/admin/subscriptions/${sub.id}/add-ons/${a.id}/remove`, 'Remove', { danger: true, test: 'remove-add-on' }) : ''}`,
  ]);
  const form =
    live && can(c, 'operator')
      ? html`<form method="post" action="/admin/subscriptions/${sub.id}/add-ons" class="filters" data-test="attach-add-on">${csrfField(c)}
          <div><label for="ao-code">Code</label><input id="ao-code" name="code" required placeholder="priority-support"></div>
          <div><label for="ao-name">Name</label><input id="ao-name" name="name" required placeholder="Priority support"></div>
          <div><label for="ao-unit-amount">Unit amount (minor units)</label><input id="ao-unit-amount" name="unit_amount" inputmode="numeric" required placeholder="1500"></div>
          <div><label for="ao-quantity">Quantity</label><input id="ao-quantity" name="quantity" inputmode="numeric" value="1"></div>
          <div><button type="submit" data-test="attach-add-on-submit">Attach</button></div>
        </form>`
      : '';
  const next = addOns.next_cursor ? html`<div class="pager">${link(`/admin/subscriptions/${sub.id}?add_ons=${encodeURIComponent(addOns.next_cursor)}`, 'More add-ons →', 'next-add-ons')}</div>` : '';
  return html`<section class="card" data-test="add-ons"><h2>Add-ons</h2>
    <div data-test="add-on-list">${table(['Code', 'Name', 'Quantity × unit amount (per period)', 'Attached', 'Removed', ''], rows, 'No add-ons.')}</div>${next}
    ${form}
  </section>`;
}

/** The negotiated prices: the version in force (charges as a plan's are shown), the history, and the form to set the next version. */
async function negotiatedCard(c: Context<AppEnv>, db: Executor, sub: SubscriptionResource, inForce: PriceOverrideResource | null, currency: string, live: boolean): Promise<Html> {
  const versions = await listPriceOverrideVersions(db, sub.id, { limit: 20, ...(c.req.query('prices') ? { cursor: c.req.query('prices') } : {}) });
  const current = inForce
    ? html`<div data-test="prices-in-force">${facts([
        ['Version', html`<span data-test="prices-version">v${inForce.version}</span>`],
        ['Seat price', html`<span data-test="negotiated-seat-price">${inForce.seat_price ? `${formatMoney(inForce.seat_price)} / seat` : "the plan's"}</span>`],
        ['Note', inForce.note],
        ['By', html`<code>${inForce.created_by}</code>`],
        ['When', when(inForce.created_at)],
      ])}
      <h3>Negotiated charges</h3>
      <div data-test="negotiated-charges">${chargeCards(inForce.charges, currency, "No negotiated charges: the plan's apply.")}</div></div>`
    : html`<p class="muted" data-test="no-deal">No negotiated prices: the plan's apply.</p>`;
  const rows = versions.data.map((v: PriceOverrideResource) => [
    html`v${v.version}`,
    when(v.created_at),
    html`<code>${v.created_by}</code>`,
    html`${v.charges.map((ch) => ch.meter).join(', ') || '—'}`,
    html`${v.seat_price ? formatMoney(v.seat_price) : "plan's"}`,
    html`${v.note ?? ''}`,
  ]);
  const history = html`<h3>History</h3><div data-test="price-versions">${table(['Version', 'When', 'By', 'Meters', 'Seat price', 'Note'], rows, 'No versions yet.')}</div>${versions.next_cursor ? html`<div class="pager">${link(`/admin/subscriptions/${sub.id}?prices=${encodeURIComponent(versions.next_cursor)}`, 'Older versions →', 'next-price-versions')}</div>` : ''}`;
  const form =
    live && can(c, 'operator')
      ? html`<h3>Set negotiated prices</h3>
        <p class="muted">The whole deal, as <code>PUT /v1/subscriptions/${sub.id}/prices</code> takes it: the next version replaces this one. Charges in minor units of ${currency}; an empty list and an empty seat price end the deal.</p>
        <form method="post" action="/admin/subscriptions/${sub.id}/prices" class="deal-form" data-test="negotiate">${csrfField(c)}
          <label for="deal-charges">Charges (JSON, as the API's <code>charges</code>)</label>
          <textarea id="deal-charges" name="charges" rows="6" class="json-input">${JSON.stringify(inForce?.charges ?? [], null, 2)}</textarea>
          <div class="fields">
            <div><label for="deal-seat-price">Seat price (minor units; empty: the plan's)</label><input id="deal-seat-price" name="seat_price" inputmode="numeric" value="${inForce?.seat_price?.amount ?? ''}"></div>
            <div><label for="deal-note">Note</label><input id="deal-note" name="note" maxlength="500" value="${inForce?.note ?? ''}"></div>
          </div>
          <p><button type="submit" data-test="negotiate-submit">Save negotiated prices</button></p>
        </form>`
      : '';
  return html`<section class="card" data-test="negotiated"><h2>Negotiated prices</h2>${current}${history}${form}</section>`;
}

/** One meter's usage so far: its quantity, its groups, and its charge's lines with their prices and amounts. */
function usageMeter(m: UsageMeterResource, currency: string): Html {
  const groups = m.groups.map((g) => [html`<span data-test="group-dimensions">${dimensionsText(g.dimensions)}</span>`, html`<span data-test="group-quantity">${g.quantity.toLocaleString('en')}</span>`]);
  const charge = m.charge;
  const lines = (charge?.lines ?? []).map((l) => [
    html`${l.dimensions === null ? html`<span class="muted">default price</span>` : dimensionsText(l.dimensions)}`,
    priceOf(charge!.model, l, currency),
    html`${l.quantity.toLocaleString('en')}`,
    html`<span data-test="line-amount">${money(l.amount, currency)}</span>`,
  ]);
  return html`<div class="card usage-meter" data-test="usage-meter" data-meter="${m.meter}">
    ${facts([
      ['Meter', link(`/admin/meters/${m.meter}`, m.meter, 'usage-meter-link')],
      ['Quantity', html`<span data-test="meter-quantity">${m.quantity.toLocaleString('en')}</span>`],
      ['Charge', charge ? html`<span data-test="meter-charge">${charge.model}: ${money(charge.amount, currency)}${charge.adjustment !== 0 ? ` (lines ${money(charge.subtotal, currency)}, ${charge.adjustment > 0 ? 'raised to the minimum' : 'capped at the maximum'} by ${money(Math.abs(charge.adjustment), currency)})` : ''}</span>` : html`<span class="muted" data-test="meter-charge">not charged</span>`],
    ])}
    <h3>Groups</h3><div data-test="usage-groups">${table(['Dimension values', 'Quantity'], groups, 'No usage.')}</div>
    ${charge ? html`<h3>Charge lines</h3><div data-test="usage-lines">${table(['Dimension price', 'Price', 'Quantity', 'Amount'], lines, 'No lines.')}</div>` : ''}
  </div>`;
}

/** The usage so far this period, per meter, and the usage amount. */
function usageCard(usage: UsagePeriodResource | null): Html {
  if (!usage) return html`<section class="card" data-test="usage-so-far"><h2>Usage so far this period</h2><p class="muted">No period yet.</p></section>`;
  const currency = usage.usage_amount.currency;
  return html`<section class="card" data-test="usage-so-far"><h2>Usage so far this period</h2>
    ${facts([
      ['Period', html`${when(usage.period_start)} → ${when(usage.period_end)}${usage.trial ? ' (trial: counted, not billed)' : ''}`],
      ['Usage amount', html`<strong data-test="usage-amount">${money(usage.usage_amount.amount, currency)}</strong>`],
    ])}
    ${usage.meters.length ? usage.meters.map((m) => usageMeter(m, currency)) : html`<p class="muted" data-test="no-usage">No usage this period.</p>`}
  </section>`;
}

const STYLE = html`<style>
  .deal-form .json-input { font-family:monospace; width:100%; max-width:none; }
  section.card > h2 { margin-top:0; }
  .deal-form .fields { display:grid; grid-template-columns:repeat(auto-fill, minmax(200px, 1fr)); gap:0 1rem; }
  .card h3 { font-size:1rem; margin:1rem 0 .5rem; }
</style>`;

/** The pricing sections of a subscription's page. */
export async function pricingPanels(c: Context<AppEnv>, sub: SubscriptionResource): Promise<Html> {
  const { db, clock } = c.get('deps');
  const live = sub.status !== 'canceled';
  const seatPrice = await seatPriceOf(db, { id: sub.id, planId: sub.plan_id, planVersion: sub.plan_version, currency: sub.currency });
  const deal = await orNothing(getPricesInForce(db, sub.id));
  const [pending, addOns, negotiated, usage] = await Promise.all([
    listPendingAdjustments(db, sub.id),
    addOnsCard(c, db, sub, live),
    negotiatedCard(c, db, sub, deal, seatPrice.currency, live),
    orNothing(getSubscriptionUsage(db, sub.id, clock.now(), false)),
  ]);
  return html`${STYLE}${seatsCard(c, sub, seatPrice, deal?.seat_price != null, pending, live)}${addOns}${negotiated}${usageCard(usage)}`;
}

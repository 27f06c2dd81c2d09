import { html } from 'hono/html';
import type { PlanResource } from '../../plans/contract.ts';
import { minorUnitDigits } from '../../kernel/currency.ts';
import { validationError } from '../../kernel/errors.ts';
import type { Html } from '../ui.ts';
import { link, money } from './billing-kit.ts';

/**
 * A plan version's seat price and usage charges as operators read them. A charge's prices are
 * decimal strings of minor units (src/pricing/contract.ts `unitPrice`): they are shown exactly as
 * the API gives them, in minor units with the currency named ("0.00025 minor units of USD"), and
 * beside that the same value in the currency's major unit, as every other amount of the dashboard
 * is written ("= 0.0000025 USD"). Whole amounts (a period's minimum and maximum) are plain money.
 */

type Charge = PlanResource['charges'][number];
type Price = Pick<Charge, 'unit_price' | 'tiers' | 'package_size' | 'package_price'>;

/** A decimal string of minor units in the currency's major unit, exactly (the point moves; nothing rounds): "0.00025", "USD" → "0.0000025 USD". */
export function inMajorUnits(minor: string, currency: string): string {
  const digits = minorUnitDigits(currency);
  const [whole, fraction = ''] = minor.split('.');
  const padded = whole!.padStart(digits + 1, '0');
  const head = padded.slice(0, padded.length - digits).replace(/^0+(?=\d)/, '');
  const tail = `${padded.slice(padded.length - digits)}${fraction}`.replace(/0+$/, '');
  // At least the currency's own decimals, as money is written elsewhere ("0.20 USD", not "0.2 USD").
  const decimals = tail.padEnd(digits, '0');
  return `${head}${decimals ? `.${decimals}` : ''} ${currency}`;
}

/** A price in minor units, the unit stated, and its major-unit value beside it. */
export const minorPrice = (value: string, currency: string): Html =>
  html`<span class="minor-price"><span data-test="minor-price">${value} minor units of ${currency}</span> <span class="muted">(= ${inMajorUnits(value, currency)})</span></span>`;

/** What one minor unit of `currency` is, in words: "1/100 of a USD". */
const minorUnitOf = (currency: string) => {
  const digits = minorUnitDigits(currency);
  return digits === 0 ? `${currency} has none smaller: one is 1 ${currency}` : `one is 1/${10 ** digits} of a ${currency}`;
};

const units = (n: number) => `${n.toLocaleString('en')} unit${n === 1 ? '' : 's'}`;

/** The tiers of a graduated or volume price: up to, unit price, flat fee. */
function tiersTable(tiers: NonNullable<Price['tiers']>, currency: string): Html {
  return html`<table class="tiers" data-test="tiers"><thead><tr><th>Up to</th><th>Unit price</th><th>Flat fee</th></tr></thead><tbody>${tiers.map(
    (t) => html`<tr><td>${t.up_to === null ? 'and above' : units(t.up_to)}</td><td>${minorPrice(t.unit_price, currency)}</td><td>${t.flat_fee === undefined ? '—' : minorPrice(t.flat_fee, currency)}</td></tr>`,
  )}</tbody></table>`;
}

/** One price of a charge (its default or a dimension's, or a usage line's), by the charge's model. */
export function priceOf(model: Charge['model'], price: Price, currency: string): Html {
  if (price.tiers) return html`${model === 'volume' ? 'every unit at the tier the total reaches' : 'each unit at its own tier'}${tiersTable(price.tiers, currency)}`;
  if (price.package_price !== undefined && price.package_size !== undefined) return html`${minorPrice(price.package_price, currency)} per package of ${units(price.package_size)} (a started package counts whole)`;
  if (price.unit_price !== undefined) return html`${minorPrice(price.unit_price, currency)} per unit`;
  return html`<span class="muted">none: only the dimension prices below apply</span>`;
}

const dimensionsOf = (d: Record<string, string>) => Object.entries(d).map(([k, v]) => html`<code>${k}</code> = ${v}`).reduce((a, b) => html`${a}, ${b}`);

/** One usage charge: its meter, model, default price, included quantity, bounds and dimension prices. */
function chargeCard(charge: Charge, currency: string): Html {
  const bounds = [charge.min_amount === undefined ? null : `at least ${money(charge.min_amount, currency)}`, charge.max_amount === undefined ? null : `at most ${money(charge.max_amount, currency)}`].filter(Boolean).join(', ');
  const rows = (charge.prices ?? []).map(
    (p) => html`<tr><td data-test="dimensions">${dimensionsOf(p.dimensions)}</td><td>${priceOf(charge.model, p, currency)}</td><td>${p.included_quantity === undefined ? '—' : units(p.included_quantity)}</td></tr>`,
  );
  return html`<div class="card charge" data-test="charge" data-meter="${charge.meter}">
    <dl class="facts">
      <dt>Meter</dt><dd>${link(`/admin/meters/${charge.meter}`, charge.meter, 'charge-meter')}</dd>
      <dt>Model</dt><dd>${charge.model}</dd>
      <dt>Default price</dt><dd data-test="default-price">${priceOf(charge.model, charge, currency)}</dd>
      <dt>Included per period</dt><dd>${charge.included_quantity === undefined ? '—' : units(charge.included_quantity)}</dd>
      <dt>Minimum, maximum per period</dt><dd>${bounds || '—'}</dd>
    </dl>
    ${rows.length
      ? html`<h3>Prices per dimension</h3><table data-test="dimension-prices"><thead><tr><th>Dimension values</th><th>Price</th><th>Included per period</th></tr></thead><tbody>${rows}</tbody></table>`
      : ''}
  </div>`;
}

/**
 * The usage charges of a plan version. With none, its token terms are what bills usage: when
 * they bill overage and no charge prices `ai_tokens`, billing turns them into one per_unit charge
 * on `ai_tokens` (src/pricing/charges.ts `versionCharges`), which the page says.
 */
export function chargesPanel(plan: PlanResource): Html {
  const currency = plan.price.currency;
  const tokenTermsBill = plan.overage_price_per_1k.amount > 0 && !plan.charges.some((c) => c.meter === 'ai_tokens');
  const note = tokenTermsBill
    ? html`<p class="muted" data-test="token-terms-note">Token terms: ${plan.included_tokens.toLocaleString('en')} AI tokens included, then ${money(plan.overage_price_per_1k.amount, currency)} per 1,000; billed as one per-unit charge on ${link('/admin/meters/ai_tokens', 'ai_tokens')}.</p>`
    : '';
  return html`<h2>Usage charges (v${plan.version})</h2>
    <p class="muted">Prices are in minor units of ${currency} (${minorUnitOf(currency)}), exact to 12 decimals, as the API takes and gives them.</p>
    ${note}
    <div data-test="charges">${chargeCards(plan.charges, currency, 'No usage charges on this version.')}</div>`;
}

/** What the cards need beside the dashboard's styles: headings and tiers inside a card. */
const CHARGE_STYLE = html`<style>.charge h3 { font-size:1rem; margin:1rem 0 .5rem; } table.tiers { margin-top:.25rem; }</style>`;

/**
 * Usage charges as cards, one per charge, priced in `currency`: a plan version's, or a
 * subscription's negotiated ones (the same shape, src/pricing/contract.ts). `none` is said when there are none.
 */
export function chargeCards(charges: readonly Charge[], currency: string, none: string): Html {
  return charges.length ? html`${CHARGE_STYLE}${charges.map((c) => chargeCard(c, currency))}` : html`<p class="muted" data-test="no-charges">${none}</p>`;
}

/**
 * The charges typed as JSON, for the API's own schema to check (every issue by its path,
 * `charges.0.tiers.1.up_to`); text that is not JSON is refused naming the field.
 */
export function chargesFrom(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw validationError([{ field: 'charges', message: `must be a JSON array of usage charges (${(error as Error).message})` }]);
  }
}

import type { InvoiceLinePricing } from '../../db/schema/index.ts';
import { minorUnitDigits } from '../kernel/currency.ts';
import { parseDecimal } from '../pricing/decimal.ts';

/** Who issues the invoices: printed at the top of every document (INVOICE_ISSUER_NAME, INVOICE_ISSUER_ADDRESS). */
export interface Issuer {
  name: string;
  /** Address lines, top to bottom. */
  address: readonly string[];
}

/** What an invoice document shows, every value already formatted: a renderer only lays it out. */
export interface InvoiceDocumentContent {
  number: string;
  /** When the invoice was finalized (ms): the document's creation date, so the same invoice renders the same bytes. */
  issuedAt: number;
  issuer: Issuer;
  /** Label and value pairs under the number: issue date, period. */
  facts: readonly [string, string][];
  /** The customer's name, then address lines and email. */
  billTo: readonly string[];
  /** A usage_charge line also gives its unit price (per unit or per package) and its breakdown (one row per tier), printed under it. */
  lines: readonly { description: string; quantity: string; amount: string; unitPrice?: string; breakdown?: readonly string[] }[];
  /** Subtotal, tax, total, credit applied, what the wallet paid (when it paid) and amount due, in that order. */
  totals: readonly { label: string; value: string; strong?: boolean }[];
  /** The invoice was voided after it was finalized: the document carries a VOID stamp. */
  voided: boolean;
}

/** The invoice figures the document is made from (minor units of `currency`). */
export interface InvoiceFigures {
  number: string;
  currency: string;
  finalizedAt: number;
  periodStart: number;
  periodEnd: number;
  subtotal: number;
  taxRateBps: number;
  tax: number;
  total: number;
  creditApplied: number;
  /** What the customer's prepaid wallet paid (src/wallets). */
  walletApplied: number;
  amountDue: number;
  voided: boolean;
  lines: readonly { description: string; quantity: number; amount: number; unitPrice?: string | null; pricing?: InvoiceLinePricing | null }[];
  customer: { name: string | null; email: string | null; country: string | null; address: readonly string[] };
}

/**
 * `minor` units of `currency` as the locale writes money ("€1,234.56", "¥12,345", "KWD 1.234"),
 * with exactly the currency's ISO 4217 minor-unit digits. The amount reaches Intl as a decimal
 * string built from the integer, never as a float, so no amount is ever rounded.
 */
export function formatAmount(minor: number, currency: string, locale: string): string {
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const units = String(Math.abs(minor)).padStart(digits + 1, '0');
  const decimal = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  // The standard PDF fonts have no narrow no-break space (some locales put one between amount and symbol).
  return format.format(`${sign}${decimal}` as Intl.StringNumericLiteral).replaceAll('\u202f', '\u00a0');
}

/** Basis points as a percentage with no trailing zeros: 1900 → "19%", 825 → "8.25%". */
export function formatRate(bps: number): string {
  const whole = Math.floor(bps / 100);
  const rest = String(bps % 100).padStart(2, '0').replace(/0+$/, '');
  return `${whole}${rest ? `.${rest}` : ''}%`;
}

/**
 * A price in minor units (a decimal string, src/pricing/decimal.ts) written in the currency's
 * major units with every digit it has, never rounded: "0.001" USD cents → "0.00001 USD", "2000" → "20.00 USD".
 */
export function formatUnitPrice(price: string, currency: string): string {
  const digits = minorUnitDigits(currency);
  const scale = 12 + digits;
  const text = parseDecimal(price).toString().padStart(scale + 1, '0');
  const fraction = text.slice(-scale).replace(/0+$/, '').padEnd(digits, '0');
  return `${text.slice(0, -scale)}${fraction ? `.${fraction}` : ''} ${currency}`;
}

/**
 * What a usage_charge line shows besides its description: its unit price (per unit or per
 * package) and its breakdown, one row per tier (units, unit price, flat fee, exact amount), with
 * the units included before pricing. Nothing for other lines, so their documents stay as they were.
 */
export function usageLineDetails(line: { unitPrice?: string | null; pricing?: InvoiceLinePricing | null }, currency: string, locale: string): { unitPrice?: string; breakdown?: string[] } {
  const pricing = line.pricing;
  if (!pricing) return {};
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const price = (p: string) => formatUnitPrice(p, currency);
  const breakdown: string[] = [];
  if (pricing.included_quantity > 0) breakdown.push(`Included: ${count.format(pricing.included_quantity)} units; billable: ${count.format(pricing.billable_quantity)}`);
  if (pricing.model === 'graduated' || pricing.model === 'volume') {
    for (const tier of pricing.tiers) {
      const range = tier.last_unit === null ? `${count.format(tier.first_unit)} and up` : `${count.format(tier.first_unit)}–${count.format(tier.last_unit)}`;
      const flat = parseDecimal(tier.flat_fee) === 0n ? '' : ` + flat fee ${price(tier.flat_fee)}`;
      breakdown.push(`Tier ${tier.tier} (${range}): ${count.format(tier.units)} × ${price(tier.unit_price)}${flat} = ${price(tier.amount)}`);
    }
  }
  if (pricing.model === 'package') {
    for (const tier of pricing.tiers) breakdown.push(`${count.format(tier.packages ?? 0)} packages of ${count.format(tier.package_size ?? 0)} × ${price(tier.unit_price)}`);
  }
  return { ...(line.unitPrice ? { unitPrice: price(line.unitPrice) } : {}), ...(breakdown.length > 0 ? { breakdown } : {}) };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Lays out what an invoice document says, in the invoice's currency and the configured locale. */
export function invoiceDocumentContent(invoice: InvoiceFigures, issuer: Issuer, locale: string): InvoiceDocumentContent {
  const money = (minor: number) => formatAmount(minor, invoice.currency, locale);
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const { customer } = invoice;
  return {
    number: invoice.number,
    issuedAt: invoice.finalizedAt,
    issuer,
    facts: [
      ['Invoice number', invoice.number],
      ['Date of issue', day(invoice.finalizedAt)],
      ['Period', `${day(invoice.periodStart)} to ${day(invoice.periodEnd)}`],
      ['Currency', invoice.currency],
    ],
    billTo: [customer.name ?? 'Customer', ...customer.address, ...(customer.country ? [customer.country] : []), ...(customer.email ? [customer.email] : [])],
    lines: invoice.lines.map((line) => ({ description: line.description, quantity: count.format(line.quantity), amount: money(line.amount), ...usageLineDetails(line, invoice.currency, locale) })),
    totals: [
      { label: 'Subtotal', value: money(invoice.subtotal) },
      { label: `Tax (${formatRate(invoice.taxRateBps)})`, value: money(invoice.tax) },
      { label: 'Total', value: money(invoice.total), strong: true },
      { label: 'Credit applied', value: money(-invoice.creditApplied) },
      ...(invoice.walletApplied > 0 ? [{ label: 'Paid from wallet', value: money(-invoice.walletApplied) }] : []),
      { label: 'Amount due', value: money(invoice.amountDue), strong: true },
    ],
    voided: invoice.voided,
  };
}

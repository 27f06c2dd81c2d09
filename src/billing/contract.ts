import * as v from 'valibot';
import { billingReasons, invoiceLineKinds, invoiceStatuses } from '../../db/schema/index.ts';
import { customerId, paymentMethod } from '../customers/contract.ts';
import { pageQuery } from '../../db/paging.ts';
import { subscriptionId } from '../subscriptions/contract.ts';
import { oneOf } from '../kernel/one-of.ts';

export const invoiceId = v.pipe(v.string(), v.regex(/^inv_[0-9A-Z]{26}$/, 'must be an invoice id (inv_…)'));
export const invoiceParams = v.object({ id: invoiceId });

export const listInvoicesQuery = v.object({
  ...pageQuery,
  status: v.optional(oneOf(invoiceStatuses)),
  customer_id: v.optional(customerId),
  subscription_id: v.optional(subscriptionId),
});
export type ListInvoicesQuery = v.InferOutput<typeof listInvoicesQuery>;


export const payInvoiceInput = v.optional(v.strictObject({ payment_method: v.optional(paymentMethod) }), {});
export type PayInvoiceInput = v.InferOutput<typeof payInvoiceInput>;

const priceLine = v.object({
  tier: v.number(),
  first_unit: v.number(),
  last_unit: v.nullable(v.number()),
  units: v.number(),
  unit_price: v.string(),
  package_size: v.optional(v.number()),
  packages: v.optional(v.number()),
  flat_fee: v.string(),
  /** Exact, a decimal string of minor units: the tiers add up to `subtotal`, which alone is rounded. */
  amount: v.string(),
});

/** A usage_charge line's breakdown: the charge's model, the units included and billed, per tier (or unit, or package) what was priced. */
const linePricing = v.object({
  model: v.string(),
  included_quantity: v.number(),
  billable_quantity: v.number(),
  tiers: v.array(priceLine),
  subtotal: v.string(),
});

const line = v.object({
  id: v.string(),
  kind: v.picklist(invoiceLineKinds),
  description: v.string(),
  /** Signed minor units of the invoice's currency; credits are negative. */
  amount: v.number(),
  /** Tokens for usage overage, 1 otherwise. */
  quantity: v.number(),
  period_start: v.string(),
  period_end: v.string(),
  source_id: v.nullable(v.string()),
  /** usage_charge lines: the meter billed (null on other lines). */
  meter: v.nullable(v.string()),
  /** usage_charge lines: the dimension values the price names; null for a charge's default price, its minimum or maximum, and other lines. */
  dimensions: v.nullable(v.record(v.string(), v.string())),
  /** usage_charge lines priced per unit or per package: that price, a decimal string of minor units; null for tiers and other lines. */
  unit_price: v.nullable(v.string()),
  /** usage_charge lines: how the line was priced (src/pricing/models.ts); null on a minimum or maximum line and other lines. */
  pricing: v.nullable(linePricing),
});

export const invoiceResource = v.object({
  id: v.string(),
  object: v.literal('invoice'),
  number: v.nullable(v.string()),
  customer_id: v.string(),
  subscription_id: v.nullable(v.string()),
  status: v.picklist(invoiceStatuses),
  billing_reason: v.picklist(billingReasons),
  currency: v.string(),
  period_start: v.string(),
  period_end: v.string(),
  subtotal: v.number(),
  tax_rate_bps: v.number(),
  tax: v.number(),
  total: v.number(),
  credit_applied: v.number(),
  /** Drawn from the prepaid wallet at finalization. */
  wallet_applied: v.number(),
  amount_due: v.number(),
  amount_paid: v.number(),
  auto_collect: v.boolean(),
  attempt_count: v.number(),
  next_attempt_at: v.nullable(v.string()),
  lines: v.array(line),
  created_at: v.string(),
  finalized_at: v.nullable(v.string()),
  paid_at: v.nullable(v.string()),
  voided_at: v.nullable(v.string()),
  uncollectible_at: v.nullable(v.string()),
  updated_at: v.string(),
  version: v.number(),
});
export type InvoiceResource = v.InferOutput<typeof invoiceResource>;

export const creditEntryResource = v.object({
  id: v.string(),
  object: v.literal('credit_entry'),
  customer_id: v.string(),
  amount: v.number(),
  currency: v.string(),
  reason: v.string(),
  invoice_id: v.nullable(v.string()),
  description: v.string(),
  created_at: v.string(),
});
export type CreditEntryResource = v.InferOutput<typeof creditEntryResource>;

export const creditBalanceResource = v.object({
  object: v.literal('credit_balance'),
  customer_id: v.string(),
  balances: v.record(v.string(), v.number()),
  entries: v.array(creditEntryResource),
});
export type CreditBalanceResource = v.InferOutput<typeof creditBalanceResource>;

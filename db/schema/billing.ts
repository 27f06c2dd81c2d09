import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';
import { customers } from './customers.ts';
import { adjustmentKinds, subscriptions } from './subscriptions.ts';

export const invoiceStatuses = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;
/**
 * `threshold`: an early invoice of a period's overage so far, when a usage threshold with `invoice_early` was reached.
 * `wallet_top_up`: a prepaid wallet top-up (no subscription; src/wallets/top-up.ts).
 */
export const billingReasons = ['subscription_create', 'subscription_cycle', 'subscription_cancel', 'threshold', 'wallet_top_up'] as const;
/** A proration line on an invoice keeps the kind of the subscription adjustment it came from. */
/**
 * `seats`: licensed seats × seat price for the period; `add_on`: an add-on attached to the subscription;
 * `usage_charge`: one priced dimension of a usage charge (src/pricing/charges.ts), or its period minimum or maximum.
 */
export const invoiceLineKinds = ['subscription_fee', ...adjustmentKinds, 'usage_overage', 'discount', 'minimum_spend_true_up', 'wallet_top_up', 'seats', 'add_on', 'usage_charge'] as const;

/** How a usage_charge line was priced, for the invoice, its PDF and the dashboard. */
export interface InvoiceLinePricing {
  model: string;
  /** Units free before pricing, and the units billed past them. */
  included_quantity: number;
  billable_quantity: number;
  /** The engine's breakdown: per tier (or per unit, per package) units, unit price, flat fee and exact amount. */
  tiers: { tier: number; first_unit: number; last_unit: number | null; units: number; unit_price: string; package_size?: number; packages?: number; flat_fee: string; amount: string }[];
  /** The exact sum before the one rounding to minor units. */
  subtotal: string;
}
export const paymentStatuses = ['pending', 'charged', 'succeeded', 'failed', 'refunded'] as const;
/** A payment in flight: its saga has not finished it (at most one per invoice, `payments_one_live_per_invoice`). */
export const livePaymentStatuses = ['pending', 'charged'] as const satisfies readonly (typeof paymentStatuses)[number][];
export const paymentTriggers = ['automatic', 'manual'] as const;
export const paymentStepOutcomes = ['succeeded', 'failed', 'skipped'] as const;
export const creditReasons = ['first_payment_bonus', 'invoice_applied', 'invoice_voided', 'negative_invoice', 'grant'] as const;

/**
 * Invoices. Every amount is a signed integer of minor units of `currency`:
 *   subtotal = Σ lines, tax = round_half_up(subtotal × tax_rate_bps / 10,000),
 *   total = subtotal + tax, amount_due = total − credit_applied − wallet_applied (never below 0).
 * One invoice per subscription, period start, reason and sequence, so billing a period twice is impossible;
 * `sequence` is 0 except on early (`threshold`) invoices, numbered 1, 2, … within their period.
 */
export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    /** Sequential and gap-free among finalized invoices (INV-000001 …); null while draft. */
    number: text('number'),
    customerId: text('customer_id').notNull().references(() => customers.id),
    subscriptionId: text('subscription_id').references(() => subscriptions.id),
    status: text('status', { enum: invoiceStatuses }).notNull(),
    billingReason: text('billing_reason', { enum: billingReasons }).notNull(),
    currency: text('currency').notNull(),
    periodStart: timestamp('period_start').notNull(),
    periodEnd: timestamp('period_end').notNull(),
    subtotal: integer('subtotal').notNull(),
    taxRateBps: integer('tax_rate_bps').notNull(),
    tax: integer('tax').notNull(),
    total: integer('total').notNull(),
    creditApplied: integer('credit_applied').notNull(),
    /** Drawn from the customer's prepaid wallet at finalization (src/wallets/draw.ts). */
    walletApplied: integer('wallet_applied').notNull().default(0),
    amountDue: integer('amount_due').notNull(),
    amountPaid: integer('amount_paid').notNull(),
    /** Collected automatically from the customer's payment method, with dunning on failure. */
    autoCollect: integer('auto_collect', { mode: 'boolean' }).notNull(),
    /** Automatic payment attempts made so far. */
    attemptCount: integer('attempt_count').notNull(),
    /** When the next automatic attempt is due; null when none is planned. */
    nextAttemptAt: timestamp('next_attempt_at'),
    /** The first failed automatic attempt; dunning retries count from here. */
    firstFailedAt: timestamp('first_failed_at'),
    /** A draft is finalized at this time (the review window). */
    finalizeAt: timestamp('finalize_at').notNull(),
    finalizedAt: timestamp('finalized_at'),
    paidAt: timestamp('paid_at'),
    voidedAt: timestamp('voided_at'),
    uncollectibleAt: timestamp('uncollectible_at'),
    sequence: integer('sequence').notNull().default(0),
    ...timestamps,
    version: integer('version').notNull(),
  },
  (t) => [
    uniqueIndex('invoices_subscription_period_seq').on(t.subscriptionId, t.periodStart, t.billingReason, t.sequence),
    uniqueIndex('invoices_number').on(t.number),
    index('invoices_customer').on(t.customerId, t.id),
    index('invoices_subscription').on(t.subscriptionId, t.id),
    index('invoices_status').on(t.status, t.id),
    index('invoices_due').on(t.status, t.nextAttemptAt),
  ],
);

export const invoiceLines = sqliteTable(
  'invoice_lines',
  {
    id: text('id').primaryKey(),
    invoiceId: text('invoice_id').notNull().references(() => invoices.id),
    kind: text('kind', { enum: invoiceLineKinds }).notNull(),
    description: text('description').notNull(),
    /** Signed minor units; credits are negative. */
    amount: integer('amount').notNull(),
    /** Tokens for usage overage, 1 otherwise. */
    quantity: integer('quantity').notNull(),
    periodStart: timestamp('period_start').notNull(),
    periodEnd: timestamp('period_end').notNull(),
    /** The subscription adjustment a proration line came from, or the add-on an add_on line bills. */
    sourceId: text('source_id'),
    /** usage_charge lines: the meter, the dimension values the price names (null: the default price), the unit price and the breakdown. */
    meter: text('meter'),
    dimensions: text('dimensions', { mode: 'json' }).$type<Record<string, string>>(),
    unitPrice: text('unit_price'),
    pricing: text('pricing', { mode: 'json' }).$type<InvoiceLinePricing>(),
  },
  (t) => [index('invoice_lines_invoice').on(t.invoiceId, t.id)],
);

/**
 * One attempt to collect an invoice: a saga whose progress is `status` plus the
 * steps below. pending → charged → succeeded, or pending → failed, or charged → refunded.
 */
export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    invoiceId: text('invoice_id').notNull().references(() => invoices.id),
    customerId: text('customer_id').notNull().references(() => customers.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    paymentMethod: text('payment_method'),
    status: text('status', { enum: paymentStatuses }).notNull(),
    trigger: text('trigger', { enum: paymentTriggers }).notNull(),
    /** Which automatic attempt on the invoice this is (manual ones carry the invoice's count). */
    attempt: integer('attempt').notNull(),
    provider: text('provider').notNull(),
    providerReference: text('provider_reference'),
    refundReference: text('refund_reference'),
    failureCode: text('failure_code'),
    failureMessage: text('failure_message'),
    /** A worker runs the saga's next step only while it holds this lease. */
    lockedUntil: timestamp('locked_until').notNull(),
    ...timestamps,
    version: integer('version').notNull(),
  },
  (t) => [
    index('payments_invoice').on(t.invoiceId, t.id),
    index('payments_customer').on(t.customerId, t.id),
    index('payments_status').on(t.status, t.lockedUntil),
    // At most one payment of an invoice is in flight: no double charge from a retry racing the worker.
    // The index's WHERE is SQL text in the migration, so it is spelled out from the list rather than bound.
    uniqueIndex('payments_one_live_per_invoice').on(t.invoiceId).where(sql.raw(`status in (${livePaymentStatuses.map((s) => `'${s}'`).join(', ')})`)),
  ],
);

/** The saga's log: what each step did, in order. */
export const paymentSteps = sqliteTable(
  'payment_steps',
  {
    paymentId: text('payment_id').notNull().references(() => payments.id),
    seq: integer('seq').notNull(),
    name: text('name').notNull(),
    outcome: text('outcome', { enum: paymentStepOutcomes }).notNull(),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    at: timestamp('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.paymentId, t.seq] })],
);

/**
 * A customer's credit ledger, signed minor units: grants are positive, credit an
 * invoice used is negative. The balance in a currency is the sum of its entries.
 */
export const creditEntries = sqliteTable(
  'credit_entries',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason', { enum: creditReasons }).notNull(),
    invoiceId: text('invoice_id'),
    description: text('description').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    index('credit_entries_customer').on(t.customerId, t.currency),
    index('credit_entries_customer_id').on(t.customerId, t.id),
    // One first-payment bonus per customer, whatever redelivers the event.
    uniqueIndex('credit_entries_one_bonus').on(t.customerId).where(sql`reason = 'first_payment_bonus'`),
  ],
);

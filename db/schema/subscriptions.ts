import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';
import { customers } from './customers.ts';
import { plans } from './plans.ts';

/** A subscription's statuses; the transitions between them live in src/subscriptions/lifecycle.ts. */
export const subscriptionStatuses = ['incomplete', 'trialing', 'active', 'past_due', 'canceled'] as const;
/** Billed period by period: renewed at each period's end, counted in MRR (past_due still owes and may recover). */
export const billedSubscriptionStatuses = ['active', 'past_due'] as const satisfies readonly (typeof subscriptionStatuses)[number][];
export const adjustmentKinds = ['proration_credit', 'proration_charge'] as const;

/**
 * A customer's subscription to one version of a plan. It keeps `plan_version`
 * when the plan's price changes; only a plan change moves it.
 */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    planId: text('plan_id').notNull().references(() => plans.id),
    planVersion: integer('plan_version').notNull(),
    /** The currency it bills in: its customer's. Null only for rows older than multi-currency (the plan version's default). */
    currency: text('currency'),
    status: text('status', { enum: subscriptionStatuses }).notNull(),
    /** Billing periods are counted from here (see src/subscriptions/periods.ts). */
    anchor: timestamp('anchor').notNull(),
    currentPeriodStart: timestamp('current_period_start').notNull(),
    currentPeriodEnd: timestamp('current_period_end').notNull(),
    trialEnd: timestamp('trial_end'),
    cancelAtPeriodEnd: integer('cancel_at_period_end', { mode: 'boolean' }).notNull().default(false),
    canceledAt: timestamp('canceled_at'),
    /**
     * Why the billing pass last failed to move it over a boundary (`code`, `message`, `failed_at`);
     * null while billing goes well. Cleared by the next boundary it crosses.
     */
    billingError: text('billing_error', { mode: 'json' }).$type<{ code: string; message: string; failed_at: number }>(),
    /** After a failure, the billing pass leaves it alone until then, so failing ones never crowd out the rest. */
    billingRetryAt: timestamp('billing_retry_at'),
    /** Licensed seats: billed in advance as seats × the plan version's `seat_price`, and an entitlement (`seats`). */
    seats: integer('seats').notNull().default(1),
    ...timestamps,
    /** Bumped on every change. */
    version: integer('version').notNull(),
  },
  (t) => [
    index('subscriptions_customer').on(t.customerId, t.id),
    index('subscriptions_plan').on(t.planId, t.id),
    index('subscriptions_status').on(t.status, t.id),
  ],
);

/**
 * Proration lines waiting for the subscription's next invoice. Amounts are signed
 * integer minor units of `currency` (a credit is negative); `invoiced_at` is set
 * when an invoice takes the line.
 */
export const subscriptionAdjustments = sqliteTable(
  'subscription_adjustments',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    kind: text('kind', { enum: adjustmentKinds }).notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    description: text('description').notNull(),
    createdAt: timestamp('created_at').notNull(),
    invoicedAt: timestamp('invoiced_at'),
    invoiceId: text('invoice_id'),
  },
  (t) => [index('subscription_adjustments_subscription').on(t.subscriptionId, t.id)],
);

/**
 * Add-on charges attached to one subscription: `quantity` × `unit_amount` minor units of the
 * subscription's currency, billed in advance with each period's fee, prorated when attached or
 * removed mid-period. A removed add-on keeps its row (`removed_at`).
 */
export const subscriptionAddOns = sqliteTable(
  'subscription_add_ons',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    unitAmount: integer('unit_amount').notNull(),
    quantity: integer('quantity').notNull(),
    currency: text('currency').notNull(),
    removedAt: timestamp('removed_at'),
    ...timestamps,
    version: integer('version').notNull(),
  },
  (t) => [index('subscription_add_ons_subscription').on(t.subscriptionId, t.id)],
);

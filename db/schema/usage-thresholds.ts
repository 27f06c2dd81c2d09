import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';
import { subscriptions } from './subscriptions.ts';

/** What a usage threshold watches: the period's tokens, or its billable amount to date (fee + overage charge, minor units). */
export const thresholdMetrics = ['tokens', 'amount'] as const;

/**
 * Who set a usage threshold: an operator (or the platform's own programs: operator tokens,
 * platform-wide keys, system), or the customer itself (its key or its user). A customer may
 * delete only the thresholds it set.
 */
export const thresholdSetters = ['operator', 'customer'] as const;

/**
 * Usage thresholds of a subscription. Deleting one sets `deleted_at`, so the periods
 * it already fired in keep naming it.
 */
export const usageThresholds = sqliteTable(
  'usage_thresholds',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    metric: text('metric', { enum: thresholdMetrics }).notNull(),
    /** Tokens, or minor units of the subscription's currency. */
    value: integer('value').notNull(),
    /** Reaching it makes the billing worker invoice the period's overage so far (progressive billing). */
    invoiceEarly: integer('invoice_early', { mode: 'boolean' }).notNull(),
    /** Thresholds set before this was recorded count as the operator's. */
    setBy: text('set_by', { enum: thresholdSetters }).notNull().default('operator'),
    createdAt: timestamp('created_at').notNull(),
    deletedAt: timestamp('deleted_at'),
  },
  (t) => [index('usage_thresholds_subscription').on(t.subscriptionId, t.id)],
);

/**
 * A threshold reached in one period: one row, one `usage.threshold_reached`, per
 * threshold and period. `early_invoice_due` waits for the billing worker, which sets
 * it false and records the early invoice (null when nothing was left to bill).
 */
export const usageThresholdCrossings = sqliteTable(
  'usage_threshold_crossings',
  {
    thresholdId: text('threshold_id').notNull().references(() => usageThresholds.id),
    periodStart: timestamp('period_start').notNull(),
    periodEnd: timestamp('period_end').notNull(),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    valueReached: integer('value_reached').notNull(),
    reachedAt: timestamp('reached_at').notNull(),
    earlyInvoiceDue: integer('early_invoice_due', { mode: 'boolean' }).notNull(),
    invoiceId: text('invoice_id'),
  },
  (t) => [primaryKey({ columns: [t.thresholdId, t.periodStart] }), index('usage_threshold_crossings_due').on(t.earlyInvoiceDue, t.reachedAt)],
);

/** A subscription's minimum spend per period, in minor units of its currency; no row (or 0) is none. */
export const subscriptionMinimumSpends = sqliteTable('subscription_minimum_spends', {
  subscriptionId: text('subscription_id')
    .primaryKey()
    .references(() => subscriptions.id),
  amount: integer('amount').notNull(),
  currency: text('currency').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';
import { customers } from './customers.ts';
import { subscriptions } from './subscriptions.ts';

/**
 * Accepted usage records, keyed by the customer and the client's own id for the
 * record: a record posted (or delivered) twice is stored once, and two customers
 * may use the same id. Refused records are never stored.
 */
export const usageRecords = sqliteTable(
  'usage_records',
  {
    customerId: text('customer_id').notNull().references(() => customers.id),
    /** The client's id for the record, unique per customer only. */
    clientId: text('client_id').notNull(),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    model: text('model').notNull(),
    tokens: integer('tokens').notNull(),
    occurredAt: timestamp('occurred_at').notNull(),
    /** Start of the subscription period that contains `occurred_at`. */
    periodStart: timestamp('period_start').notNull(),
    /** Tokens of this record beyond the period's included ones (overage policy only). */
    overageTokens: integer('overage_tokens').notNull(),
    recordedAt: timestamp('recorded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.clientId] }), index('usage_records_subscription_period').on(t.subscriptionId, t.periodStart)],
);

/** Running totals per subscription period, written in the same transaction as each record. */
export const usagePeriods = sqliteTable(
  'usage_periods',
  {
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    periodStart: timestamp('period_start').notNull(),
    usedTokens: integer('used_tokens').notNull(),
    overageTokens: integer('overage_tokens').notNull(),
    /** The period crossed its quota once; `usage.quota_exceeded` was emitted then. */
    quotaExceeded: integer('quota_exceeded', { mode: 'boolean' }).notNull().default(false),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.periodStart] })],
);

import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';
import { customers } from './customers.ts';
import { subscriptions } from './subscriptions.ts';

/** What a token record's tokens were (`token_type`): a dimension of the built-in `ai_tokens` meter. */
export const tokenTypes = ['input', 'output', 'cached'] as const;
export type TokenType = (typeof tokenTypes)[number];

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
    /** A token record's model; a usage event's `model` property when it is a string, else ''. */
    model: text('model').notNull(),
    /** A token record's tokens; a usage event's value as its meter read it (sum, max, latest), or 1 (count, unique_count). */
    tokens: integer('tokens').notNull(),
    occurredAt: timestamp('occurred_at').notNull(),
    /** Start of the subscription period that contains `occurred_at`. */
    periodStart: timestamp('period_start').notNull(),
    /** Tokens of this record beyond the period's included ones (overage policy only). */
    overageTokens: integer('overage_tokens').notNull(),
    recordedAt: timestamp('recorded_at').notNull(),
    /** The meter the record counts for: `ai_tokens` for the token records (`model`, `tokens`). */
    meter: text('meter').notNull().default('ai_tokens'),
    /**
     * A usage event's properties as posted; a token record's `model`, `tokens` and `token_type` when it
     * has a `token_type`, else null (the token records before token types, too).
     */
    properties: text('properties', { mode: 'json' }).$type<Record<string, string | number>>(),
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

/**
 * Running aggregates per subscription period, meter and dimension values, written in the same
 * transaction as the usage they count, so reading a period's usage never scans its records.
 * `dimensions` is the canonical JSON of the record's values of the meter's `group_by`
 * properties, in that order, absent ones left out (`{"model":"gpt-4o","token_type":"output"}`).
 * `quantity` is the meter's aggregation so far: sum, count, max, unique count, or the latest value
 * (`latest_at` is the time of the record it came from).
 */
export const usageAggregates = sqliteTable(
  'usage_aggregates',
  {
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    periodStart: timestamp('period_start').notNull(),
    meter: text('meter').notNull(),
    dimensions: text('dimensions').notNull(),
    quantity: integer('quantity').notNull(),
    latestAt: timestamp('latest_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.periodStart, t.meter, t.dimensions] })],
);

/** The distinct values a `unique_count` meter has seen per subscription period and dimension values. */
export const usageUniqueValues = sqliteTable(
  'usage_unique_values',
  {
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    periodStart: timestamp('period_start').notNull(),
    meter: text('meter').notNull(),
    dimensions: text('dimensions').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.periodStart, t.meter, t.dimensions, t.value] })],
);

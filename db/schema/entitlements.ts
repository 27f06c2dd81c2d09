import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';
import { customers } from './customers.ts';
import { entitlementTypes } from './plans.ts';
import { subscriptions } from './subscriptions.ts';

/** An override of one feature's entitlement for one subscription: it replaces the plan version's. */
export const subscriptionEntitlements = sqliteTable(
  'subscription_entitlements',
  {
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    feature: text('feature').notNull(),
    type: text('type', { enum: entitlementTypes }).notNull(),
    limit: integer('limit'),
    value: text('value', { mode: 'json' }).$type<string | number | boolean>(),
    /** Metered only: the meter whose usage counts against `limit`, and the dimension values it is narrowed to. */
    meter: text('meter'),
    dimensions: text('dimensions', { mode: 'json' }).$type<Record<string, string>>(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.feature] })],
);

/**
 * Consumption of a metered feature other than `ai_tokens` (whose usage lives in
 * `usage_periods`), per subscription period; written in the transaction of each consume.
 */
export const featureUsage = sqliteTable(
  'feature_usage',
  {
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    feature: text('feature').notNull(),
    periodStart: timestamp('period_start').notNull(),
    used: integer('used').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.feature, t.periodStart] })],
);

/**
 * Each consume of a metered feature (other than `ai_tokens`), keyed by the customer and
 * the client's record id, so a retried consume counts once.
 */
export const featureConsumptions = sqliteTable(
  'feature_consumptions',
  {
    customerId: text('customer_id').notNull().references(() => customers.id),
    clientId: text('client_id').notNull(),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    feature: text('feature').notNull(),
    amount: integer('amount').notNull(),
    periodStart: timestamp('period_start').notNull(),
    consumedAt: timestamp('consumed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.clientId] }), index('feature_consumptions_subscription').on(t.subscriptionId, t.feature, t.periodStart)],
);

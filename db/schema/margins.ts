import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';
import { customers } from './customers.ts';
import { subscriptions } from './subscriptions.ts';

/**
 * What 1,000 tokens of a model cost us, in versions: a new price is a new row, never an
 * edit. `cost_per_1k_micros` is millionths of a minor unit of `currency` per 1,000 tokens
 * (model prices are fractions of a cent per 1,000 tokens: 0.015 cents is 15,000 micros).
 * The version in force at a time is the one with the latest `effective_from` not after it.
 */
export const modelPrices = sqliteTable(
  'model_prices',
  {
    id: text('id').primaryKey(),
    model: text('model').notNull(),
    currency: text('currency').notNull(),
    /** 1, 2, 3 … per model and currency, in the order they were created. */
    version: integer('version').notNull(),
    costPer1kMicros: integer('cost_per_1k_micros').notNull(),
    effectiveFrom: timestamp('effective_from').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('model_prices_version').on(t.model, t.currency, t.version),
    index('model_prices_effective').on(t.model, t.currency, t.effectiveFrom),
  ],
);

/**
 * A plan suggestion told to a customer: at most one per subscription and renewal
 * (`period_start` of the renewal invoice), whatever redelivers the event.
 */
export const planSuggestions = sqliteTable(
  'plan_suggestions',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    periodStart: timestamp('period_start').notNull(),
    suggestedPlanId: text('suggested_plan_id').notNull(),
    currency: text('currency').notNull(),
    currentCost: integer('current_cost').notNull(),
    suggestedCost: integer('suggested_cost').notNull(),
    saving: integer('saving').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [uniqueIndex('plan_suggestions_once').on(t.subscriptionId, t.periodStart), index('plan_suggestions_customer').on(t.customerId, t.id)],
);

import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';

export const planStatuses = ['active', 'archived'] as const;
export const planIntervals = ['month', 'year'] as const;
/** Past the included tokens: bill overage per 1,000 tokens, or refuse further usage. */
export const quotaPolicies = ['overage', 'block'] as const;
/** The policy of a plan created without one, by the API and by the dashboard's form alike. */
export const defaultQuotaPolicy: (typeof quotaPolicies)[number] = 'block';

/**
 * What an entitlement grants: a feature on or off, a quantity per billing period, or a
 * fixed value (seats = 10). Defined beside the plan version that stores entitlements, so
 * the subscriptions' overrides (entitlements.ts) name them without a loop between files.
 */
export const entitlementTypes = ['boolean', 'metered', 'static'] as const;
export type EntitlementType = (typeof entitlementTypes)[number];

/**
 * One typed entitlement, as a plan version stores it and an override carries it.
 * `limit` is per billing period (metered only); `value` is the static value, or for
 * a boolean whether it is granted (absent: granted).
 */
export interface Entitlement {
  feature: string;
  type: EntitlementType;
  limit?: number;
  value?: string | number | boolean;
}

/** A plan: its stable identity and lifecycle. Its terms live in `plan_versions`. */
export const plans = sqliteTable(
  'plans',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    /** The version new subscriptions get; older versions stay readable for those already on them. */
    currentVersion: integer('current_version').notNull(),
    status: text('status', { enum: planStatuses }).notNull(),
    archivedAt: timestamp('archived_at'),
    ...timestamps,
  },
  (t) => [
    // A code names one plan for good: archiving does not free it.
    uniqueIndex('plans_code').on(t.code),
    index('plans_status').on(t.status, t.id),
  ],
);

/**
 * The terms of a plan, one row per version (1, 2, 3 …), never changed once written.
 * Money is integer minor units of `currency`.
 */
export const planVersions = sqliteTable(
  'plan_versions',
  {
    planId: text('plan_id').notNull().references(() => plans.id),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    priceAmount: integer('price_amount').notNull(),
    currency: text('currency').notNull(),
    interval: text('interval', { enum: planIntervals }).notNull(),
    trialDays: integer('trial_days').notNull(),
    /** AI tokens included per billing period. */
    includedTokens: integer('included_tokens').notNull(),
    overagePricePer1k: integer('overage_price_per_1k').notNull(),
    quotaPolicy: text('quota_policy', { enum: quotaPolicies }).notNull(),
    features: text('features', { mode: 'json' }).$type<string[]>().notNull(),
    /** Typed entitlements (src/entitlements/); null on versions written before they existed. */
    entitlements: text('entitlements', { mode: 'json' }).$type<Entitlement[]>(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.version] })],
);

/**
 * The prices of a plan version in currencies other than its default one (`plan_versions.currency`),
 * one row per currency; part of the version's terms, never changed once written.
 * Money is integer minor units of `currency`.
 */
export const planPrices = sqliteTable(
  'plan_prices',
  {
    planId: text('plan_id').notNull().references(() => plans.id),
    version: integer('version').notNull(),
    currency: text('currency').notNull(),
    priceAmount: integer('price_amount').notNull(),
    overagePricePer1k: integer('overage_price_per_1k').notNull(),
  },
  (t) => [primaryKey({ columns: [t.planId, t.version, t.currency] })],
);

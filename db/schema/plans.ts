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
  /**
   * Metered only: the meter (its code) whose usage this period counts against `limit`, read from
   * `usage_aggregates`; `dimensions` narrow it to the rows with these values of its group_by properties.
   */
  meter?: string;
  dimensions?: Record<string, string>;
}

/** The charge models, by their API names (src/pricing/models.ts prices each). */
export const chargeModels = ['per_unit', 'graduated', 'volume', 'package'] as const;
export type ChargeModel = (typeof chargeModels)[number];

/** One tier of a graduated or volume price, as stored: decimal strings of minor units. */
export interface StoredTier {
  up_to: number | null;
  unit_price: string;
  flat_fee?: string;
}

/** The price fields of one model; which are set depends on the charge's `model`. */
export interface StoredPrice {
  unit_price?: string;
  tiers?: StoredTier[];
  package_size?: number;
  package_price?: string;
  /** Units free before this price applies, per period. */
  included_quantity?: number;
}

/** A price for the usage whose dimension values match `dimensions` (e.g. model=gpt-4o, token_type=output). */
export interface StoredDimensionPrice extends StoredPrice {
  dimensions: Record<string, string>;
}

/**
 * One charge of a plan version (or of a negotiated override): how a period's usage of one meter
 * is billed. The price fields on the charge itself are the default for usage no `prices` entry
 * matches (absent: no default). `min_amount`/`max_amount` bound the charge's period total.
 * Prices are in the version's currency. See docs/pricing.md and src/pricing/charges.ts.
 */
export interface StoredCharge extends StoredPrice {
  meter: string;
  model: ChargeModel;
  prices?: StoredDimensionPrice[];
  min_amount?: number;
  max_amount?: number;
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
    /**
     * Usage charges per meter (src/pricing/charges.ts); null or empty: the version bills its
     * `included_tokens`/`overage_price_per_1k` terms, which are one per_unit charge on `ai_tokens`.
     */
    charges: text('charges', { mode: 'json' }).$type<StoredCharge[]>(),
    /** Price of one licensed seat per period, minor units; the subscription's `seats` multiply it. */
    seatPrice: integer('seat_price').notNull().default(0),
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
    seatPrice: integer('seat_price').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.planId, t.version, t.currency] })],
);

import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { currencyCode, currencyKey } from '../kernel/currency.ts';
import { MAX_CHARGE } from '../kernel/money.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { chargeModels, defaultQuotaPolicy, planIntervals, planStatuses, quotaPolicies } from '../../db/schema/index.ts';
import { entitlementResource, entitlementsInput } from './entitlements.ts';
import type { CurrencyPrice } from './terms.ts';
import { oneOf } from '../kernel/one-of.ts';
import { usageCharge } from '../pricing/contract.ts';

/** The largest amount a plan may carry, in minor units: one charge's ceiling (src/kernel/money.ts). */
export const MAX_AMOUNT = MAX_CHARGE;
const MAX_TOKENS = 1_000_000_000_000_000;

const amount = v.pipe(
  v.number('must be a whole number of minor units'),
  v.safeInteger('must be a whole number of minor units'),
  v.minValue(0, 'must not be negative'),
  v.maxValue(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`),
);
// Checked as sent, then lower-cased: the pattern the API document shows is exactly what is accepted.
const code = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1 to 64 letters, digits, - or _, starting with a letter or digit (e.g. pro)'),
  v.toLowerCase(),
);
const name = v.pipe(v.string(), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(200, 'must be at most 200 characters'));
const currency = currencyCode;
const interval = oneOf(planIntervals);
const trialDays = v.pipe(v.number('must be a whole number of days'), v.safeInteger('must be a whole number of days'), v.minValue(0, 'must not be negative'), v.maxValue(365, 'must be at most 365'));
const includedTokens = v.pipe(v.number('must be a whole number of tokens'), v.safeInteger('must be a whole number of tokens'), v.minValue(0, 'must not be negative'), v.maxValue(MAX_TOKENS, `must be at most ${MAX_TOKENS}`));
const quotaPolicy = oneOf(quotaPolicies);
const features = v.pipe(
  v.array(v.pipe(v.string(), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(100, 'must be at most 100 characters'))),
  v.maxLength(50, 'must have at most 50 features'),
  v.check((list) => new Set(list).size === list.length, 'must not list a feature twice'),
  v.metadata({ uniqueItems: true }),
);

/** A price in one currency (the key of `prices`). */
const currencyPrice = v.strictObject({ price_amount: amount, overage_price_per_1k: v.optional(amount, 0), seat_price: v.optional(amount, 0) });
/**
 * Prices keyed by currency (`{ "EUR": { "price_amount": 4500 } }`), so a currency cannot appear
 * twice. An entry in the plan's default `currency` sets its default price (it wins over
 * `price_amount`/`overage_price_per_1k`). Read back as a list, the default first.
 */
const prices = v.pipe(
  // v.record alone takes an array as an object with keys "0", "1", …: refuse it first.
  v.unknown(),
  v.check((input) => !Array.isArray(input), 'must be an object keyed by currency (EUR, USD, …), not a list'),
  v.record(currencyKey, currencyPrice, 'must be an object keyed by currency (EUR, USD, …)'),
  v.check((map) => Object.keys(map).length <= 50, 'must list at most 50 currencies'),
  v.metadata({ maxProperties: 50 }),
  v.transform((map): CurrencyPrice[] => Object.entries(map).map(([currency, price]) => ({ currency, ...price }))),
);

/** The most usage charges one plan version may carry. */
export const MAX_CHARGES = 20;

/**
 * The version's usage charges, one per meter (src/pricing/contract.ts `usageCharge`). Priced in the
 * version's `currency` only; `overage_price_per_1k` must be 0 when a charge prices `ai_tokens`.
 */
const charges = v.pipe(v.array(usageCharge, 'must be an array of usage charges'), v.maxLength(MAX_CHARGES, `must have at most ${MAX_CHARGES} charges`));

export const planId = v.pipe(v.string(), v.regex(/^pln_[0-9A-Z]{26}$/, 'must be a plan id (pln_…)'));
export const planParams = v.object({ id: planId });

const positiveInt = v.pipe(
  v.string(),
  v.digits('must be a whole number'),
  v.metadata({ type: 'integer', minimum: 1, pattern: undefined }),
  v.transform(Number),
  v.minValue(1, 'must be at least 1'),
);

export const getPlanQuery = v.object({ version: v.optional(positiveInt) });

export const createPlanInput = v.strictObject({
  code,
  name,
  price_amount: amount,
  currency,
  interval,
  trial_days: v.optional(trialDays, 0),
  included_tokens: v.optional(includedTokens, 0),
  overage_price_per_1k: v.optional(amount, 0),
  quota_policy: v.optional(quotaPolicy, defaultQuotaPolicy),
  features: v.optional(features, []),
  /** Prices in more currencies than the default `currency`. */
  prices: v.optional(prices, {}),
  entitlements: v.optional(entitlementsInput, {}),
  /** Price of one licensed seat per period (× the subscription's `seats`); 0: seats are not billed. */
  seat_price: v.optional(amount, 0),
  charges: v.optional(charges, []),
});
export type CreatePlanInput = v.InferOutput<typeof createPlanInput>;

export const updatePlanInput = v.pipe(
  v.strictObject({
    name: v.optional(name),
    price_amount: v.optional(amount),
    currency: v.optional(currency),
    interval: v.optional(interval),
    trial_days: v.optional(trialDays),
    included_tokens: v.optional(includedTokens),
    overage_price_per_1k: v.optional(amount),
    quota_policy: v.optional(quotaPolicy),
    features: v.optional(features),
    /** Replaces the version's prices in other currencies. */
    prices: v.optional(prices),
    entitlements: v.optional(entitlementsInput),
    seat_price: v.optional(amount),
    /** Replaces the version's usage charges ([] removes them). */
    charges: v.optional(charges),
  }, (issue) => (issue.expected === 'never' ? 'is not a term a PATCH can change (code and status are not)' : 'must be an object')),
  v.check((patch) => Object.keys(patch).length > 0, 'must change at least one field'),
  v.metadata({ minProperties: 1 }),
);
export type UpdatePlanInput = v.InferOutput<typeof updatePlanInput>;

export const listPlansQuery = v.object({
  ...pageQuery,
  status: v.optional(oneOf(planStatuses)),
  code: v.optional(code),
});
export type ListPlansQuery = v.InferOutput<typeof listPlansQuery>;

export const listPlanVersionsQuery = v.object({ ...pageQuery });
export type ListPlanVersionsQuery = v.InferOutput<typeof listPlanVersionsQuery>;

const money = v.object({ amount: v.number(), currency: v.string() });

const priceResource = {
  unit_price: v.optional(v.string()),
  tiers: v.optional(v.array(v.object({ up_to: v.nullable(v.number()), unit_price: v.string(), flat_fee: v.optional(v.string()) }))),
  package_size: v.optional(v.number()),
  package_price: v.optional(v.string()),
  included_quantity: v.optional(v.number()),
};
/** A usage charge as read back: prices are decimal strings of minor units of the version's currency. */
export const usageChargeResource = v.object({
  meter: v.string(),
  model: v.picklist(chargeModels),
  ...priceResource,
  prices: v.optional(v.array(v.object({ dimensions: v.record(v.string(), v.string()), ...priceResource }))),
  min_amount: v.optional(v.number()),
  max_amount: v.optional(v.number()),
});

export const planResource = v.object({
  id: v.string(),
  object: v.literal('plan'),
  code: v.string(),
  status: v.picklist(planStatuses),
  version: v.number(),
  name: v.string(),
  price: money,
  interval: v.picklist(planIntervals),
  trial_days: v.number(),
  included_tokens: v.number(),
  overage_price_per_1k: money,
  quota_policy: v.picklist(quotaPolicies),
  features: v.array(v.string()),
  /** Every currency the version is priced in, the default one first, then by currency. */
  prices: v.array(v.object({ currency: v.string(), price_amount: v.number(), overage_price_per_1k: v.number(), seat_price: v.number() })),
  /** Price of one licensed seat per period. */
  seat_price: money,
  /** Usage charges per meter, priced in the version's currency (see docs/pricing.md). */
  charges: v.array(usageChargeResource),
  /** Typed entitlements of this version; each of `features` is also a boolean entitlement. */
  entitlements: v.array(entitlementResource),
  created_at: v.string(),
  updated_at: v.string(),
  archived_at: v.nullable(v.string()),
});
export type PlanResource = v.InferOutput<typeof planResource>;

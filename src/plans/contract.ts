import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { currencyCode, currencyKey } from '../kernel/currency.ts';
import { MAX_CHARGE } from '../kernel/money.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { defaultQuotaPolicy, planIntervals, planStatuses, quotaPolicies } from '../../db/schema/index.ts';
import { entitlementResource, entitlementsInput } from './entitlements.ts';
import type { CurrencyPrice } from './terms.ts';
import { oneOf } from '../kernel/one-of.ts';

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
const currencyPrice = v.strictObject({ price_amount: amount, overage_price_per_1k: v.optional(amount, 0) });
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
  prices: v.array(v.object({ currency: v.string(), price_amount: v.number(), overage_price_per_1k: v.number() })),
  /** Typed entitlements of this version; each of `features` is also a boolean entitlement. */
  entitlements: v.array(entitlementResource),
  created_at: v.string(),
  updated_at: v.string(),
  archived_at: v.nullable(v.string()),
});
export type PlanResource = v.InferOutput<typeof planResource>;

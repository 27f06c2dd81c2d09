import * as v from 'valibot';
import { MAX_CHARGE } from '../kernel/money.ts';
import { chargeModels, type ChargeModel } from '../../db/schema/index.ts';
import { oneOf } from '../kernel/one-of.ts';
import { DECIMAL_PATTERN } from './decimal.ts';
import type { ChargeDefinition, Tier } from './models.ts';


/**
 * A price in minor units, as a decimal string: "0.25" (a quarter of a cent), "0.00025", "1500".
 * Non-negative, at most 15 digits before the point and 12 after. A string, not a JSON number,
 * so no client's float ever rounds it on the way in.
 */
export const unitPrice = v.pipe(
  v.string('must be a decimal number of minor units as a string, e.g. "0.25"'),
  v.regex(DECIMAL_PATTERN, 'must be a decimal number of minor units, e.g. "0.25", with at most 12 decimals (and at most 15 digits before the point)'),
);

const wholeUnits = (least: number) =>
  v.pipe(v.number('must be a whole number of units'), v.safeInteger('must be a whole number of units'), v.minValue(least, least === 0 ? 'must not be negative' : `must be at least ${least}`));

const amount = v.pipe(
  v.number('must be a whole number of minor units'),
  v.safeInteger('must be a whole number of minor units'),
  v.minValue(0, 'must not be negative'),
  v.maxValue(MAX_CHARGE, `must be at most ${MAX_CHARGE}`),
);

const tier = v.strictObject({
  up_to: v.nullable(wholeUnits(1)),
  unit_price: unitPrice,
  flat_fee: v.optional(unitPrice),
});

const priceFields = {
  unit_price: v.optional(unitPrice),
  tiers: v.optional(v.array(tier)),
  package_size: v.optional(wholeUnits(1)),
  package_price: v.optional(unitPrice),
  included_quantity: v.optional(wholeUnits(0)),
};

const fields = v.strictObject({
  model: oneOf(chargeModels),
  ...priceFields,
  min_amount: v.optional(amount),
  max_amount: v.optional(amount),
});
type Fields = v.InferOutput<typeof fields>;

/** The fields each model takes besides the options every model takes. */
const MODEL_FIELDS: Record<ChargeModel, readonly (keyof Fields)[]> = {
  per_unit: ['unit_price'],
  graduated: ['tiers'],
  volume: ['tiers'],
  package: ['package_size', 'package_price'],
};
const PRICE_FIELDS = ['unit_price', 'tiers', 'package_size', 'package_price'] as const;

interface Issue {
  path: (string | number)[];
  message: string;
}

/** The rules across fields: the model's fields present and no other model's, tiers in order, min ≤ max. */
export function chargeDefinitionIssues(input: Fields): Issue[] {
  return [...priceIssues(input.model, input, []), ...boundIssues(input)];
}

const boundIssues = (input: { min_amount?: number | undefined; max_amount?: number | undefined }): Issue[] =>
  input.min_amount !== undefined && input.max_amount !== undefined && input.min_amount > input.max_amount
    ? [{ path: ['min_amount'], message: `must not be more than max_amount (${input.max_amount})` }]
    : [];

function tierIssues(tiers: readonly Tier[]): Issue[] {
  if (tiers.length === 0) return [{ path: ['tiers'], message: 'must have at least 1 tier' }];
  const issues: Issue[] = [];
  let previous = 0;
  tiers.forEach((t, i) => {
    const last = i === tiers.length - 1;
    if (t.up_to === null) {
      if (!last) issues.push({ path: ['tiers', i, 'up_to'], message: 'may be null only on the last tier' });
      return;
    }
    if (last) issues.push({ path: ['tiers', i, 'up_to'], message: 'must be null: the last tier is open-ended' });
    if (t.up_to <= previous) issues.push({ path: ['tiers', i, 'up_to'], message: `must be greater than the previous tier's up_to (${previous})` });
    previous = Math.max(previous, t.up_to);
  });
  return issues;
}

/**
 * A charge definition as the API takes it: `model` (one of chargeModels) and that model's prices,
 * plus `included_quantity`, `min_amount` and `max_amount`. Every malformed field is reported at
 * once, each by its path (`tiers.2.up_to`); the rules across fields (tier order, min ≤ max, the
 * model's own fields) are checked, all at once too, when the fields themselves are well formed.
 */
export const chargeDefinition = v.pipe(
  fields,
  reportIssues(chargeDefinitionIssues),
  v.transform((value) => value as ChargeDefinition),
);

/** A valibot check that reports every issue `issuesOf` finds on a well-formed value, each at its own path. */
function reportIssues<T>(issuesOf: (value: T) => Issue[]) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const issue of issuesOf(dataset.value)) {
      let input: unknown = dataset.value;
      const path = issue.path.map((key) => {
        const value = (input as Record<string | number, unknown>)[key];
        const item = { type: typeof key === 'number' ? 'array' : 'object', origin: 'value', input, key, value } as v.IssuePathItem;
        input = value;
        return item;
      }) as [v.IssuePathItem, ...v.IssuePathItem[]];
      addIssue({ message: issue.message, path });
    }
  });
}

/** The most dimension prices one charge may list. */
export const MAX_DIMENSION_PRICES = 200;

/** A dimension property's value, as a price names it: a single line of at most 200 characters. */
const dimensionValue = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(200, 'must be at most 200 characters'), v.regex(/^[^\n\r]*$/, 'must be a single line'));

const dimensionPrice = v.strictObject({
  /** The dimension values this price is for, e.g. {"model": "gpt-4o", "token_type": "output"}. */
  dimensions: v.pipe(
    v.record(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a property name')), dimensionValue, 'must be an object of dimension values'),
    v.check((d) => Object.keys(d).length > 0, 'must name at least one dimension value'),
  ),
  ...priceFields,
});

const usageChargeFields = v.strictObject({
  /** The meter's code (GET /v1/meters). */
  meter: v.pipe(v.string('must be a meter code'), v.regex(/^[a-z0-9_]{1,64}$/, 'must be a meter code')),
  model: oneOf(chargeModels),
  /** Must be the plan version's currency when given: a charge is priced in it. */
  currency: v.optional(v.pipe(v.string('must be a currency code'), v.regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 currency code, e.g. USD'))),
  ...priceFields,
  prices: v.optional(v.pipe(v.array(dimensionPrice, 'must be an array of dimension prices'), v.maxLength(MAX_DIMENSION_PRICES, `must have at most ${MAX_DIMENSION_PRICES} prices`))),
  min_amount: v.optional(amount),
  max_amount: v.optional(amount),
});
type UsageChargeFields = v.InferOutput<typeof usageChargeFields>;

const hasAny = (price: Partial<Fields>) => PRICE_FIELDS.some((f) => price[f] !== undefined);

/** The rules across one price's fields: the model's own fields, all present, no other model's; tiers in order. */
function priceIssues(model: ChargeModel, price: Partial<Fields>, at: (string | number)[]): Issue[] {
  const issues: Issue[] = [];
  const own = MODEL_FIELDS[model];
  for (const field of PRICE_FIELDS) {
    if (own.includes(field) && price[field] === undefined) issues.push({ path: [...at, field], message: `is required for a ${model} charge` });
    if (!own.includes(field) && price[field] !== undefined) issues.push({ path: [...at, field], message: `is not a field of a ${model} charge` });
  }
  if (own.includes('tiers') && price.tiers) issues.push(...tierIssues(price.tiers).map((i) => ({ ...i, path: [...at, ...i.path] })));
  return issues;
}

/**
 * The rules across a usage charge's fields: the default price (the charge's own price fields) is
 * optional but complete when given, each dimension price complete, at least one of the two, no two
 * prices for the same dimension values, min ≤ max.
 */
export function usageChargeIssues(input: UsageChargeFields): Issue[] {
  const issues: Issue[] = [];
  if (hasAny(input) || !input.prices?.length) issues.push(...priceIssues(input.model, input, []));
  const seen = new Map<string, number>();
  (input.prices ?? []).forEach((price, i) => {
    issues.push(...priceIssues(input.model, price, ['prices', i]));
    const key = JSON.stringify(Object.entries(price.dimensions).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (seen.has(key)) issues.push({ path: ['prices', i, 'dimensions'], message: `names the same dimension values as prices.${seen.get(key)}` });
    else seen.set(key, i);
  });
  return [...issues, ...boundIssues(input)];
}

/**
 * A usage charge as the API takes it on a plan version or a negotiated override: the meter it
 * prices, the model, a default price (the model's fields on the charge), prices per dimension
 * values (`prices`), and the period's `min_amount`/`max_amount`. The rules needing the database
 * (the meter exists and groups by the dimensions named, the currency is the version's) are
 * `chargeIssuesAgainst` in src/pricing/check-charges.ts.
 */
export const usageCharge = v.pipe(usageChargeFields, reportIssues(usageChargeIssues));
export type UsageChargeInput = v.InferOutput<typeof usageCharge>;

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

const fields = v.strictObject({
  model: oneOf(chargeModels),
  unit_price: v.optional(unitPrice),
  tiers: v.optional(v.array(tier)),
  package_size: v.optional(wholeUnits(1)),
  package_price: v.optional(unitPrice),
  included_quantity: v.optional(wholeUnits(0)),
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
  const issues: Issue[] = [];
  const own = MODEL_FIELDS[input.model];
  for (const field of PRICE_FIELDS) {
    if (own.includes(field) && input[field] === undefined) issues.push({ path: [field], message: `is required for a ${input.model} charge` });
    if (!own.includes(field) && input[field] !== undefined) issues.push({ path: [field], message: `is not a field of a ${input.model} charge` });
  }
  if (own.includes('tiers') && input.tiers) issues.push(...tierIssues(input.tiers));
  if (input.min_amount !== undefined && input.max_amount !== undefined && input.min_amount > input.max_amount) {
    issues.push({ path: ['min_amount'], message: `must not be more than max_amount (${input.max_amount})` });
  }
  return issues;
}

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
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const issue of chargeDefinitionIssues(dataset.value)) {
      let input: unknown = dataset.value;
      const path = issue.path.map((key) => {
        const value = (input as Record<string | number, unknown>)[key];
        const item = { type: typeof key === 'number' ? 'array' : 'object', origin: 'value', input, key, value } as v.IssuePathItem;
        input = value;
        return item;
      }) as [v.IssuePathItem, ...v.IssuePathItem[]];
      addIssue({ message: issue.message, path });
    }
  }),
  v.transform((value) => value as ChargeDefinition),
);

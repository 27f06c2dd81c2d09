import * as v from 'valibot';
import { meterSnapshot } from './events.ts';
import { pageQuery } from '../../db/paging.ts';
import { meterAggregations, meterStatuses, propertylessAggregations, type MeterAggregation } from '../../db/schema/index.ts';
import { oneOf } from '../kernel/one-of.ts';
import { maxChars, singleLine } from '../kernel/text.ts';

/** The most dimensions one meter may break usage down by. */
export const MAX_GROUP_BY = 5;

/** A meter's code: what a usage record names; lowercase so two spellings never name two meters. */
export const meterCode = v.pipe(v.string(), v.regex(/^[a-z0-9_]{1,64}$/, 'must be 1 to 64 lowercase letters, digits or _ (e.g. api_calls)'));
/** A property of a usage event: a letter or _ first, then letters, digits or _, at most 64. */
const propertyName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a property name: a letter or _ first, then letters, digits or _, at most 64'));
const name = v.pipe(v.string(), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(200, 'must be at most 200 characters'));
const description = v.pipe(v.string(), v.trim(), ...maxChars(1000, 'must be at most 1000 characters'));
const groupBy = v.pipe(
  v.array(propertyName),
  v.maxLength(MAX_GROUP_BY, `must have at most ${MAX_GROUP_BY} properties`),
  v.check((list) => new Set(list).size === list.length, 'must not list a property twice'),
  v.metadata({ uniqueItems: true }),
);

export const meterParams = v.object({ code: meterCode });

const isAggregation = (value: unknown): value is MeterAggregation => (meterAggregations as readonly unknown[]).includes(value);

/**
 * Whether `value_property` fits the aggregation: `count` reads none, every other aggregation
 * needs one. Null when it fits; checked beside the fields' own rules so one request hears of
 * every wrong field at once.
 */
export function valuePropertyIssue(aggregation: unknown, valueProperty: unknown): string | null {
  if (!isAggregation(aggregation)) return null;
  const reads = !propertylessAggregations.includes(aggregation);
  if (reads && valueProperty === undefined) return `is required for a ${aggregation} meter`;
  if (!reads && valueProperty !== undefined) return `must not be given for a ${aggregation} meter, which counts events`;
  return null;
}

const createEntries = {
  code: meterCode,
  name,
  description: v.optional(description),
  aggregation: oneOf(meterAggregations),
  /** The numeric property `sum`, `max` and `latest` read; for `unique_count`, the one whose distinct values are counted; none for `count`. */
  value_property: v.optional(propertyName),
  /** Dimension properties usage is broken down by (at most five, each once). */
  group_by: v.optional(groupBy, []),
};

export const createMeterInput = v.pipe(
  v.strictObject(createEntries),
  v.rawCheck(({ dataset, addIssue }) => {
    // Runs when other fields failed too (then the value is the object as far as it was read).
    const body = dataset.value as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null) return;
    const message = valuePropertyIssue(body.aggregation, body.value_property);
    if (message) addIssue({ message, path: [{ type: 'object', origin: 'value', input: body, key: 'value_property', value: body.value_property }] });
  }),
);
export type CreateMeterInput = v.InferOutput<typeof createMeterInput>;

export const updateMeterInput = v.pipe(
  v.strictObject(
    {
      name: v.optional(name),
      /** null clears it. */
      description: v.optional(v.nullable(description)),
    },
    (issue) => (issue.expected === 'never' ? 'is not something a PATCH can change (only name and description can; code, aggregation, value_property and group_by never change)' : 'must be an object'),
  ),
  v.check((patch) => Object.keys(patch).length > 0, 'must change at least one field'),
  v.metadata({ minProperties: 1 }),
);
export type UpdateMeterInput = v.InferOutput<typeof updateMeterInput>;

export const listMetersQuery = v.object({ ...pageQuery, status: v.optional(oneOf(meterStatuses)) });
export type ListMetersQuery = v.InferOutput<typeof listMetersQuery>;

export const meterResource = v.object({
  object: v.literal('meter'),
  ...meterSnapshot.entries,
  /** The built-in `ai_tokens` meter: it cannot be changed or archived. */
  built_in: v.boolean(),
  created_at: v.string(),
  updated_at: v.string(),
  archived_at: v.nullable(v.string()),
});
export type MeterResource = v.InferOutput<typeof meterResource>;

import * as v from 'valibot';
import { entitlementTypes, type Entitlement } from '../../db/schema/index.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { mustBeOneOf, oneOf } from '../kernel/one-of.ts';

/** The metered feature whose usage is AI tokens (POST /v1/usage); without a `limit` it takes the plan's `included_tokens`. */
export const AI_TOKENS = 'ai_tokens';
/** The largest per-period limit an entitlement may carry. */
export const MAX_ENTITLEMENT_LIMIT = 1_000_000_000_000_000;
const MAX_ENTITLEMENTS = 50;

/** A feature code: the same strings `features` lists (`sso`, `ai_tokens`, `seats`). */
export const featureCode = v.pipe(
  v.string('must be a string'),
  singleLine,
  v.trim(),
  v.minLength(1, 'must not be empty'),
  ...maxChars(100, 'must be at most 100 characters'),
);
const entitlementType = oneOf(entitlementTypes);
const limit = v.pipe(
  v.number('must be a whole number'),
  v.safeInteger('must be a whole number'),
  v.minValue(0, 'must not be negative'),
  v.maxValue(MAX_ENTITLEMENT_LIMIT, `must be at most ${MAX_ENTITLEMENT_LIMIT}`),
);
const value = v.union(
  [v.pipe(v.string(), singleLine, ...maxChars(200, 'must be at most 200 characters')), v.pipe(v.number(), v.finite()), v.boolean()],
  'must be a string, a number or (for boolean) true or false',
);

type Shape = {
  type: Entitlement['type'];
  limit?: number | undefined;
  value?: string | number | boolean | undefined;
  meter?: string | undefined;
  dimensions?: Record<string, string> | undefined;
};
type Field = 'type' | 'limit' | 'value' | 'meter' | 'dimensions';

/**
 * The rules between an entitlement's fields, each naming its field: `limit` only on
 * metered ones (and required there, but for `ai_tokens`), `value` required on static
 * ones (a string or a number), true or false on boolean ones, absent on metered ones;
 * `meter` only on metered ones (not `ai_tokens`, which is read from its own usage), and
 * `dimensions` only with a `meter`. Whether the meter exists and groups by those dimensions
 * needs the database (`entitlementMeterIssues`, src/plans/charges.ts).
 */
export function entitlementIssues(e: Shape, feature: string | undefined): { field: Field; message: string }[] {
  const issues: { field: Field; message: string }[] = [];
  if (feature === AI_TOKENS && e.type !== 'metered') issues.push({ field: 'type', message: 'must be metered for ai_tokens' });
  if (e.type !== 'metered' && e.limit !== undefined) issues.push({ field: 'limit', message: 'is only for metered entitlements' });
  if (e.type === 'metered' && e.limit === undefined && feature !== undefined && feature !== AI_TOKENS) {
    issues.push({ field: 'limit', message: 'is required for a metered entitlement (only ai_tokens defaults to included_tokens)' });
  }
  if (e.type === 'metered' && e.value !== undefined) issues.push({ field: 'value', message: 'is not for metered entitlements (use limit)' });
  if (e.type === 'static' && (e.value === undefined || typeof e.value === 'boolean')) issues.push({ field: 'value', message: 'must be a string or a number for a static entitlement' });
  if (e.type === 'boolean' && e.value !== undefined && typeof e.value !== 'boolean') issues.push({ field: 'value', message: 'must be true or false for a boolean entitlement' });
  if (e.meter !== undefined && e.type !== 'metered') issues.push({ field: 'meter', message: 'is only for metered entitlements' });
  else if (e.meter !== undefined && feature === AI_TOKENS) issues.push({ field: 'meter', message: 'is not for ai_tokens, which counts its own usage; name the meter on another feature' });
  if (e.dimensions !== undefined && e.meter === undefined) issues.push({ field: 'dimensions', message: 'needs a meter: they narrow its usage' });
  return issues;
}

/** A meter's code (GET /v1/meters). */
const meterCode = v.pipe(v.string('must be a meter code'), v.regex(/^[a-z0-9_]{1,64}$/, 'must be a meter code'));
/** The most dimension values one entitlement may name. */
const MAX_DIMENSIONS = 20;
const dimensionValue = v.pipe(v.string('must be a string'), singleLine, v.minLength(1, 'must not be empty'), ...maxChars(200, 'must be at most 200 characters'));
/** Values of the meter's group_by properties, e.g. {"model": "gpt-4o"}: only its usage with every one of them counts. */
const dimensions = v.pipe(
  v.unknown(),
  v.check((input) => !Array.isArray(input), 'must be an object of dimension values, not a list'),
  v.record(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a property name')), dimensionValue, 'must be an object of dimension values'),
  v.check((d) => Object.keys(d).length > 0, 'must name at least one dimension value'),
  v.check((d) => Object.keys(d).length <= MAX_DIMENSIONS, `must name at most ${MAX_DIMENSIONS} dimension values`),
  v.metadata({ minProperties: 1, maxProperties: MAX_DIMENSIONS }),
);

/** The fields of an entitlement besides its feature, as an override's body carries them. */
export const entitlementTerms = {
  type: entitlementType,
  limit: v.optional(limit),
  value: v.optional(value),
  /** Metered: the meter whose usage this period counts against `limit` (src/entitlements/). */
  meter: v.optional(meterCode),
  /** With `meter`: only its usage with these dimension values counts. */
  dimensions: v.optional(dimensions),
};

/** A feature as a key of `entitlements`: kept as sent (keys are not trimmed), one line, 1 to 100 characters. */
const featureKey = v.pipe(v.string(), singleLine, v.minLength(1, 'must not be empty'), ...maxChars(100, 'must be at most 100 characters'));

/**
 * The rules between the fields (`entitlementIssues`) as JSON Schema, for the API document: one
 * shape per type, so a fuzzer or a client generator sees exactly what the checks accept.
 */
const termsSchema = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: [...entitlementTypes] },
    limit: { type: 'integer', minimum: 0, maximum: MAX_ENTITLEMENT_LIMIT },
    value: { anyOf: [{ type: 'string', pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$', maxLength: 200 }, { type: 'number' }, { type: 'boolean' }] },
    meter: { type: 'string', pattern: '^[a-z0-9_]{1,64}$' },
    dimensions: {
      type: 'object',
      minProperties: 1,
      maxProperties: MAX_DIMENSIONS,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$' },
    },
  },
  required: ['type'],
  additionalProperties: false,
  dependentRequired: { dimensions: ['meter'] },
};
/** Fields only a metered entitlement takes. */
const NOT_METERED = { not: { anyOf: [{ required: ['limit'] }, { required: ['meter'] }, { required: ['dimensions'] }] } };
const BOOLEAN_SHAPE = { properties: { type: { const: 'boolean' }, value: { type: 'boolean' } }, ...NOT_METERED };
const METERED_SHAPE = { properties: { type: { const: 'metered' } }, not: { required: ['value'] }, required: ['limit'] };
const STATIC_SHAPE = { properties: { type: { const: 'static' }, value: { type: ['string', 'number'] } }, required: ['value'], ...NOT_METERED };

/** The JSON Schema shapes of an override's body (no feature: it is in the path; a metered override states its limit). */
export const overrideShapes = { oneOf: [BOOLEAN_SHAPE, METERED_SHAPE, STATIC_SHAPE] };

/**
 * A plan version's typed entitlements, keyed by feature (a key cannot repeat, so neither can a
 * feature): `{ "exports": { "type": "metered", "limit": 100 }, "seats": { "type": "static", "value": 10 } }`.
 * Each field is checked against the others and against its feature (`ai_tokens` is metered and may
 * leave `limit` out); an issue names `entitlements.<feature>.<field>`. Read back as a list.
 */
// `type` is checked with the other rules below, so one request hears of every wrong field at once.
const looseTerms = { ...entitlementTerms, type: v.string(mustBeOneOf(entitlementTypes)) };
const isType = (type: string): type is Entitlement['type'] => (entitlementTypes as readonly string[]).includes(type);

export const entitlementsInput = v.pipe(
  // v.record alone takes an array as an object with keys "0", "1", …: refuse it first.
  v.unknown(),
  v.check((input) => !Array.isArray(input), 'must be an object keyed by feature, not a list'),
  v.record(featureKey, v.strictObject(looseTerms), 'must be an object keyed by feature'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [feature, terms] of Object.entries(dataset.value)) {
      const issues = isType(terms.type)
        ? entitlementIssues({ ...terms, type: terms.type }, feature)
        : [{ field: 'type' as const, message: mustBeOneOf(entitlementTypes) }];
      for (const issue of issues) {
        addIssue({
          message: issue.message,
          path: [
            { type: 'object', origin: 'value', input: dataset.value, key: feature, value: terms },
            { type: 'object', origin: 'value', input: terms, key: issue.field, value: terms[issue.field] },
          ],
        });
      }
    }
  }),
  v.check((map) => Object.keys(map).length <= MAX_ENTITLEMENTS, `must have at most ${MAX_ENTITLEMENTS} entitlements`),
  v.metadata({
    maxProperties: MAX_ENTITLEMENTS,
    propertyNames: { minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$' },
    properties: { [AI_TOKENS]: { ...termsSchema, properties: { ...termsSchema.properties, type: { const: 'metered' } }, not: { anyOf: [{ required: ['value'] }, { required: ['meter'] }, { required: ['dimensions'] }] } } },
    additionalProperties: { ...termsSchema, ...overrideShapes },
  }),
  v.transform((map): Entitlement[] => Object.entries(map).map(([feature, terms]) => toEntitlement({ feature, ...terms, type: terms.type as Entitlement['type'] }))),
);

/** An entitlement as the API shows it. */
export const entitlementResource = v.object({
  feature: v.string(),
  type: v.picklist(entitlementTypes),
  limit: v.optional(v.number()),
  value: v.optional(v.union([v.string(), v.number(), v.boolean()])),
  /** Metered: the meter whose usage counts against `limit`, and the dimension values that narrow it. */
  meter: v.optional(v.string()),
  dimensions: v.optional(v.record(v.string(), v.string())),
});

/** Drops absent fields, so stored and shown entitlements carry only what applies. */
export function toEntitlement(e: {
  feature: string;
  type: Entitlement['type'];
  limit?: number | null | undefined;
  value?: string | number | boolean | null | undefined;
  meter?: string | null | undefined;
  dimensions?: Record<string, string> | null | undefined;
}): Entitlement {
  const out: Entitlement = { feature: e.feature, type: e.type };
  if (e.limit !== undefined && e.limit !== null) out.limit = e.limit;
  if (e.value !== undefined && e.value !== null) out.value = e.value;
  if (e.meter !== undefined && e.meter !== null) out.meter = e.meter;
  if (e.dimensions !== undefined && e.dimensions !== null) out.dimensions = e.dimensions;
  return out;
}

/**
 * A version's typed entitlements: each of `features` is a boolean entitlement, and
 * an entry of `entitlements` for the same feature wins over it. Order: the features
 * list first, then the entitlements not in it.
 */
export function versionEntitlements(version: { features: string[]; entitlements: Entitlement[] | null }): Entitlement[] {
  const byFeature = new Map<string, Entitlement>();
  for (const feature of version.features) byFeature.set(feature, { feature, type: 'boolean' });
  for (const e of version.entitlements ?? []) byFeature.set(e.feature, toEntitlement(e));
  return [...byFeature.values()];
}

import * as v from 'valibot';
import { entitlementTypes, type Entitlement } from '../../db/schema/index.ts';
import { singleLine, maxChars } from '../kernel/text.ts';

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
const entitlementType = v.picklist(entitlementTypes, `must be one of ${entitlementTypes.join(', ')}`);
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

type Shape = { type: Entitlement['type']; limit?: number | undefined; value?: string | number | boolean | undefined };

/**
 * The rules between an entitlement's fields, each naming its field: `limit` only on
 * metered ones (and required there, but for `ai_tokens`), `value` required on static
 * ones (a string or a number), true or false on boolean ones, absent on metered ones.
 */
export function entitlementIssues(e: Shape, feature: string | undefined): { field: 'type' | 'limit' | 'value'; message: string }[] {
  const issues: { field: 'type' | 'limit' | 'value'; message: string }[] = [];
  if (feature === AI_TOKENS && e.type !== 'metered') issues.push({ field: 'type', message: 'must be metered for ai_tokens' });
  if (e.type !== 'metered' && e.limit !== undefined) issues.push({ field: 'limit', message: 'is only for metered entitlements' });
  if (e.type === 'metered' && e.limit === undefined && feature !== undefined && feature !== AI_TOKENS) {
    issues.push({ field: 'limit', message: 'is required for a metered entitlement (only ai_tokens defaults to included_tokens)' });
  }
  if (e.type === 'metered' && e.value !== undefined) issues.push({ field: 'value', message: 'is not for metered entitlements (use limit)' });
  if (e.type === 'static' && (e.value === undefined || typeof e.value === 'boolean')) issues.push({ field: 'value', message: 'must be a string or a number for a static entitlement' });
  if (e.type === 'boolean' && e.value !== undefined && typeof e.value !== 'boolean') issues.push({ field: 'value', message: 'must be true or false for a boolean entitlement' });
  return issues;
}

type Fields = Shape & { feature: string };

/** Forwards the rule about one field (see `entitlementIssues`) to that field, so the error names it. */
function ruled(field: 'type' | 'limit' | 'value') {
  const issue = (e: Fields) => entitlementIssues(e, e.feature).find((i) => i.field === field);
  return v.forward<Fields, v.CheckIssue<Fields>, [typeof field]>(
    v.check<Fields, (issue: v.CheckIssue<Fields>) => string>((e) => issue(e) === undefined, (i) => issue(i.input)?.message ?? 'is invalid'),
    [field],
  );
}

/** The fields of an entitlement besides its feature, as an override's body carries them. */
export const entitlementTerms = {
  type: entitlementType,
  limit: v.optional(limit),
  value: v.optional(value),
};

/**
 * The rules between the fields (`entitlementIssues`) as JSON Schema, for the API document: one
 * shape per type, so a fuzzer or a client generator sees exactly what the checks accept.
 */
const STRING_OR_NUMBER = { type: ['string', 'number'] };
const NOT_AI_TOKENS = { not: { const: AI_TOKENS } };
const typeShapes = (withFeature: boolean) => ({
  oneOf: [
    { properties: { type: { const: 'boolean' }, value: { type: 'boolean' }, ...(withFeature ? { feature: NOT_AI_TOKENS } : {}) }, not: { required: ['limit'] } },
    withFeature
      ? { properties: { type: { const: 'metered' } }, not: { required: ['value'] }, if: { properties: { feature: { const: AI_TOKENS } } }, then: {}, else: { required: ['limit'] } }
      : { properties: { type: { const: 'metered' } }, not: { required: ['value'] }, required: ['limit'] },
    { properties: { type: { const: 'static' }, value: STRING_OR_NUMBER, ...(withFeature ? { feature: NOT_AI_TOKENS } : {}) }, required: ['value'], not: { required: ['limit'] } },
  ],
});

/** One typed entitlement of a plan version. */
export const entitlementInput = v.pipe(
  v.strictObject({ feature: featureCode, ...entitlementTerms }),
  ruled('type'),
  ruled('limit'),
  ruled('value'),
  v.metadata(typeShapes(true)),
);

/** The JSON Schema shapes of an override's body (no feature: it is in the path; a metered override states its limit). */
export const overrideShapes = typeShapes(false);

/** A plan version's typed entitlements: each feature once. */
export const entitlementsInput = v.pipe(
  v.array(entitlementInput, 'must be an array of entitlements'),
  v.maxLength(MAX_ENTITLEMENTS, `must have at most ${MAX_ENTITLEMENTS} entitlements`),
  v.check((list) => new Set(list.map((e) => e.feature)).size === list.length, 'must not list a feature twice'),
);

/** An entitlement as the API shows it. */
export const entitlementResource = v.object({
  feature: v.string(),
  type: v.picklist(entitlementTypes),
  limit: v.optional(v.number()),
  value: v.optional(v.union([v.string(), v.number(), v.boolean()])),
});

/** Drops absent fields, so stored and shown entitlements carry only what applies. */
export function toEntitlement(e: { feature: string; type: Entitlement['type']; limit?: number | null | undefined; value?: string | number | boolean | null | undefined }): Entitlement {
  const out: Entitlement = { feature: e.feature, type: e.type };
  if (e.limit !== undefined && e.limit !== null) out.limit = e.limit;
  if (e.value !== undefined && e.value !== null) out.value = e.value;
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

import * as v from 'valibot';
import { entitlementTypes } from '../../db/schema/index.ts';
import { customerId } from '../customers/contract.ts';
import { entitlementIssues, entitlementTerms, featureCode, overrideShapes } from '../plans/entitlements.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { subscriptionId } from '../subscriptions/contract.ts';

/** Why a check says no. */
export const refusalReasons = ['no_subscription', 'not_entitled', 'limit_reached'] as const;
export type CheckRefusal = (typeof refusalReasons)[number];
/**
 * Where an effective entitlement comes from: the plan version, the subscription's licensed seats
 * (`seats`, src/entitlements/load.ts), or the subscription's override.
 */
export const entitlementSources = ['plan', 'override', 'licensed'] as const;

export const overrideParams = v.object({ id: subscriptionId, feature: featureCode });

type OverrideFields = v.InferOutput<v.StrictObjectSchema<typeof entitlementTerms, undefined>>;

/** An override's body: the entitlement that replaces the plan's for this subscription. */
export const overrideInput = v.pipe(
  v.strictObject(entitlementTerms),
  // The feature is in the path; rules that need it (ai_tokens) are checked by the verb.
  ...(['type', 'limit', 'value', 'meter', 'dimensions'] as const).map((field) =>
    v.forward<v.InferOutput<v.StrictObjectSchema<typeof entitlementTerms, undefined>>, v.CheckIssue<v.InferOutput<v.StrictObjectSchema<typeof entitlementTerms, undefined>>>, [typeof field]>(
      v.check(
        (e) => !entitlementIssues(e, undefined).some((i) => i.field === field),
        (issue) => entitlementIssues(issue.input, undefined).find((i) => i.field === field)?.message ?? 'is invalid',
      ),
      [field],
    ),
  ),
  // An override replaces the plan's entitlement with its own numbers: a metered one names its limit.
  v.forward<OverrideFields, v.CheckIssue<OverrideFields>, ['limit']>(v.check((e) => e.type !== 'metered' || e.limit !== undefined, 'is required for a metered override'), ['limit']),
  v.metadata<OverrideFields, Record<string, unknown>>(overrideShapes),
);
export type OverrideInput = v.InferOutput<typeof overrideInput>;

const MAX_CONSUME = 1_000_000_000;

export const checkInput = v.strictObject({
  customer_id: customerId,
  feature: featureCode,
  /** Units to consume when allowed (tokens for `ai_tokens`); counted atomically with the check. */
  consume: v.optional(
    v.pipe(v.number('must be a whole number'), v.safeInteger('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(MAX_CONSUME, `must be at most ${MAX_CONSUME}`)),
  ),
  /** The client's id for this consume, unique per customer: a retry under the same id counts once. Defaults to the Idempotency-Key. */
  record_id: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters'))),
  /** The model the tokens were used with (`ai_tokens` only); `unspecified` when absent. */
  model: v.optional(v.pipe(v.string('must be a string'), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(100, 'must be at most 100 characters'))),
});
export type CheckInput = v.InferOutput<typeof checkInput>;

const entitlementValue = v.union([v.string(), v.number(), v.boolean()]);

export const overrideResource = v.object({
  object: v.literal('entitlement_override'),
  subscription_id: v.string(),
  feature: v.string(),
  type: v.picklist(entitlementTypes),
  limit: v.optional(v.number()),
  value: v.optional(entitlementValue),
  meter: v.optional(v.string()),
  dimensions: v.optional(v.record(v.string(), v.string())),
  created_at: v.string(),
  updated_at: v.string(),
});
export type OverrideResource = v.InferOutput<typeof overrideResource>;

export const effectiveEntitlement = v.object({
  feature: v.string(),
  type: v.picklist(entitlementTypes),
  source: v.picklist(entitlementSources),
  /** Metered: units per period. */
  limit: v.optional(v.number()),
  /** Static: the value; boolean: false when an override withdraws the feature. */
  value: v.optional(entitlementValue),
  /** Metered, read from a meter: its code and the dimension values its usage is narrowed to. */
  meter: v.optional(v.string()),
  dimensions: v.optional(v.record(v.string(), v.string())),
  /** Metered: units used in the current period (for a meter-backed one, the meter's usage plus what checks consumed), and what is left of the limit (never below 0). */
  used: v.optional(v.number()),
  remaining: v.optional(v.number()),
  period_start: v.optional(v.string()),
  period_end: v.optional(v.string()),
  /** `ai_tokens` under an `overage` plan without a limit of its own: usage past the limit is allowed and billed. */
  overage: v.optional(v.boolean()),
});
export type EffectiveEntitlement = v.InferOutput<typeof effectiveEntitlement>;

export const customerEntitlementsResource = v.object({
  object: v.literal('customer_entitlements'),
  customer_id: v.string(),
  /** The customer's current subscription (its newest that is not canceled); null when it has none. */
  subscription_id: v.nullable(v.string()),
  plan_id: v.nullable(v.string()),
  plan_version: v.nullable(v.number()),
  data: v.array(effectiveEntitlement),
});
export type CustomerEntitlementsResource = v.InferOutput<typeof customerEntitlementsResource>;

export const checkResource = v.object({
  object: v.literal('entitlement_check'),
  allowed: v.boolean(),
  feature: v.string(),
  /** Null when the customer has no subscription or the feature is not among its entitlements. */
  type: v.nullable(v.picklist(entitlementTypes)),
  reason: v.optional(v.picklist(refusalReasons)),
  limit: v.optional(v.number()),
  used: v.optional(v.number()),
  remaining: v.optional(v.number()),
  value: v.optional(entitlementValue),
  /** Units this check counted: 0 when refused, or when `duplicate` (the record id was already counted). */
  consumed: v.optional(v.number()),
  duplicate: v.optional(v.boolean()),
  record_id: v.optional(v.string()),
  subscription_id: v.optional(v.string()),
  period_start: v.optional(v.string()),
  period_end: v.optional(v.string()),
});
export type CheckResource = v.InferOutput<typeof checkResource>;


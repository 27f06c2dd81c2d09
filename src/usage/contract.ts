import * as v from 'valibot';
import { customerId } from '../customers/contract.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { chargeModels, quotaPolicies, tokenTypes } from '../../db/schema/index.ts';
import { oneOf } from '../kernel/one-of.ts';
import { subscriptionId } from '../subscriptions/contract.ts';

/** Most records one POST /v1/usage may carry. */
export const MAX_USAGE_BATCH = 1000;
/** A ceiling per record, so running totals stay exact integers. */
const MAX_RECORD_TOKENS = 1_000_000_000;

const timestamp = realTimestamp();

const recordId = v.pipe(v.string('must be a string'), v.regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters'));

/** A token record: tokens of one model, counted by the built-in `ai_tokens` meter. */
export const tokenRecordInput = v.strictObject({
  /** The client's own id, unique per customer; the same id is counted once, however often it arrives. */
  id: recordId,
  customer_id: customerId,
  /** Needed only when the customer has more than one live subscription. */
  subscription_id: v.optional(subscriptionId),
  model: v.pipe(v.string('must be a string'), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(100, 'must be at most 100 characters')),
  tokens: v.pipe(
    v.number('must be a whole number of tokens'),
    v.safeInteger('must be a whole number of tokens'),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(MAX_RECORD_TOKENS, `must be at most ${MAX_RECORD_TOKENS}`),
  ),
  /** A dimension of `ai_tokens`; without it the record has none (its usage is grouped by model alone). */
  token_type: v.optional(oneOf(tokenTypes)),
  occurred_at: timestamp,
});
export type TokenRecordInput = v.InferOutput<typeof tokenRecordInput>;

/** Most properties one usage event may carry. */
export const MAX_EVENT_PROPERTIES = 50;
const propertyName = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const propertyValue = v.union(
  [v.pipe(v.string(), singleLine, ...maxChars(200, 'must be at most 200 characters')), v.pipe(v.number(), v.finite())],
  'must be a string (single line, at most 200 characters) or a number',
);

/** A usage event for any meter, named by its code; the meter reads its value and dimensions from `properties`. */
export const usageEventInput = v.strictObject({
  /** The client's own id, unique per customer (shared with token records); the same id is counted once. */
  id: recordId,
  customer_id: customerId,
  /** Needed only when the customer has more than one live subscription. */
  subscription_id: v.optional(subscriptionId),
  /** The meter's code (GET /v1/meters). */
  meter: v.pipe(v.string('must be a string'), v.regex(/^[a-z0-9_]{1,64}$/, 'must be a meter code: 1 to 64 lowercase letters, digits or _')),
  /** When the usage happened. */
  timestamp,
  /** The meter's value property and dimensions, and anything else: at most 50, each a string or a number. */
  properties: v.pipe(
    v.record(v.pipe(v.string(), v.regex(propertyName, 'must be a property name: a letter or _ first, then letters, digits or _, at most 64')), propertyValue, 'must be an object'),
    v.check((props) => Object.keys(props).length <= MAX_EVENT_PROPERTIES, `must have at most ${MAX_EVENT_PROPERTIES} properties`),
    v.metadata({ maxProperties: MAX_EVENT_PROPERTIES }),
  ),
});
export type UsageEventInput = v.InferOutput<typeof usageEventInput>;

/** Either shape of a usage record. */
export type UsageRecordInput = TokenRecordInput | UsageEventInput;

export const isUsageEvent = (input: UsageRecordInput): input is UsageEventInput => 'meter' in input;

/** The keys only a usage event has: any of them makes a record one. */
const eventKeys = ['meter', 'timestamp', 'properties'];
const eitherShape = v.union([tokenRecordInput, usageEventInput]);

/**
 * A record of either shape, documented as the union of both, but checked by one of them, told
 * apart by the keys only a usage event has (`meter`, `timestamp`, `properties`), so that a bad field is named as in its own shape (`records.0.tokens`), never
 * as the union's mismatch of every field of both.
 */
export const usageRecordInput: typeof eitherShape = {
  ...eitherShape,
  '~run'(dataset, config) {
    const value = dataset.value;
    const shape = typeof value === 'object' && value !== null && eventKeys.some((key) => key in value) ? usageEventInput : tokenRecordInput;
    return shape['~run'](dataset, config) as ReturnType<(typeof eitherShape)['~run']>;
  },
};

export const recordUsageInput = v.strictObject({
  records: v.pipe(
    v.array(usageRecordInput, 'must be an array of usage records'),
    v.minLength(1, 'must hold at least one record'),
    v.maxLength(MAX_USAGE_BATCH, `must hold at most ${MAX_USAGE_BATCH} records`),
  ),
});
export type RecordUsageInput = v.InferOutput<typeof recordUsageInput>;

/**
 * What happened to one record: counted (`accepted`), already counted under its id
 * (`duplicate`), its id already counted for a different record (`conflict`), or not
 * counted (`refused`, with a reason).
 */
export const usageOutcomes = ['accepted', 'duplicate', 'conflict', 'refused'] as const;
export type UsageOutcome = (typeof usageOutcomes)[number];

/**
 * Why a record was refused: the plan blocks past its quota; the period's overage charge
 * would pass the largest amount one charge may be (`charge_limit`, MAX_CHARGE in
 * src/kernel/money.ts); no live subscription takes it, or several could and it names none;
 * it is dated before the subscription, further ahead of the clock than the allowed skew,
 * or in a period already billed; or its customer was erased. A usage event names no meter, or an
 * archived one (`unknown_meter`); lacks its meter's value or carries one that is not a whole
 * non-negative number (`invalid_value`); or has dimension values the subscription's charges for
 * that meter give no price and the charge has no default price (`unpriced_dimension`).
 */
export const refusalReasons = [
  'quota_exceeded',
  'charge_limit',
  'no_subscription',
  'ambiguous_subscription',
  'subscription_canceled',
  'before_subscription',
  'in_future',
  'period_closed',
  'customer_erased',
  'unknown_meter',
  'invalid_value',
  'unpriced_dimension',
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

/** The fields compared when an id arrives again, in the order a conflict names them (a token record's: meter, tokens, model, token_type, occurred_at, subscription_id; a usage event's: meter, timestamp, properties, subscription_id). */
export const conflictFields = ['meter', 'tokens', 'model', 'token_type', 'occurred_at', 'timestamp', 'properties', 'subscription_id'] as const;
export type ConflictField = (typeof conflictFields)[number];

export const usageRecordResult = v.object({
  /** The client's id for the record, as posted. */
  id: v.string(),
  status: v.picklist(usageOutcomes),
  subscription_id: v.nullable(v.string()),
  period_start: v.nullable(v.string()),
  overage_tokens: v.number(),
  /** With `refused`. */
  reason: v.optional(v.picklist(refusalReasons)),
  /** With `conflict`: the first field that differs from the record stored under this id. */
  field: v.optional(v.picklist(conflictFields)),
  /** With some refusals (`unknown_meter`, `invalid_value`, `unpriced_dimension`): what was wrong, in words. */
  message: v.optional(v.string()),
});
export type UsageRecordResult = v.InferOutput<typeof usageRecordResult>;

export const usageBatchResource = v.object({
  object: v.literal('usage_batch'),
  accepted: v.number(),
  duplicates: v.number(),
  conflicts: v.number(),
  refused: v.number(),
  results: v.array(usageRecordResult),
});
export type UsageBatchResource = v.InferOutput<typeof usageBatchResource>;

export const subscriptionUsageQuery = v.object({
  /** Any time inside the wanted period; the current period when absent. */
  period_start: v.optional(timestamp),
});
export type SubscriptionUsageQuery = v.InferOutput<typeof subscriptionUsageQuery>;

const money = v.object({ amount: v.number(), currency: v.string() });

const dimensions = v.record(v.string(), v.string());
const tier = v.object({ up_to: v.nullable(v.number()), unit_price: v.string(), flat_fee: v.optional(v.string()) });

/** One price of a charge with the usage it covered this period; amounts in minor units of the subscription's currency. */
export const usageChargeLineResource = v.object({
  /** The dimension values the price names; null: the charge's default price (the usage no entry matched). */
  dimensions: v.nullable(dimensions),
  quantity: v.number(),
  amount: v.number(),
  /** per_unit: the price per unit (a decimal string of minor units). */
  unit_price: v.optional(v.string()),
  /** graduated and volume: the tiers. */
  tiers: v.optional(v.array(tier)),
  /** package: the units of one package and its price (a decimal string of minor units). */
  package_size: v.optional(v.number()),
  package_price: v.optional(v.string()),
});

/** A meter's usage this period, per group of dimension values, and the charge in force on it (null: not charged). */
export const usageMeterResource = v.object({
  meter: v.string(),
  /** The meter's total: the sum of its groups (the largest for `max`, the newest for `latest`). */
  quantity: v.number(),
  groups: v.array(v.object({ dimensions, quantity: v.number() })),
  charge: v.nullable(
    v.object({
      model: v.picklist(chargeModels),
      lines: v.array(usageChargeLineResource),
      /** Σ line amounts. */
      subtotal: v.number(),
      /** What the charge's min_amount added (positive) or max_amount took off (negative). */
      adjustment: v.number(),
      /** subtotal + adjustment: what the charge comes to so far; 0 in a trial. */
      amount: v.number(),
    }),
  ),
});
export type UsageMeterResource = v.InferOutput<typeof usageMeterResource>;

export const usagePeriodResource = v.object({
  object: v.literal('usage_period'),
  subscription_id: v.string(),
  plan_id: v.string(),
  plan_version: v.number(),
  period_start: v.string(),
  period_end: v.string(),
  included_tokens: v.number(),
  used_tokens: v.number(),
  overage_tokens: v.number(),
  overage_price_per_1k: money,
  overage_charge: money,
  quota_policy: v.picklist(quotaPolicies),
  quota_exceeded: v.boolean(),
  /** The trial [created, trial end): its usage is counted and shown, never billed (no overage charge). */
  trial: v.boolean(),
  /** Every charge in force (its version's, with negotiated prices), then every other meter with usage this period. */
  meters: v.array(usageMeterResource),
  /** Σ the charges' amounts so far this period (the token terms included as a charge); 0 in a trial. */
  usage_amount: money,
});
export type UsagePeriodResource = v.InferOutput<typeof usagePeriodResource>;

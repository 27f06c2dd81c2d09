import * as v from 'valibot';
import { customerId } from '../customers/contract.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { chargeModels, quotaPolicies } from '../../db/schema/index.ts';
import { subscriptionId } from '../subscriptions/contract.ts';

/** Most records one POST /v1/usage may carry. */
export const MAX_USAGE_BATCH = 1000;
/** A ceiling per record, so running totals stay exact integers. */
const MAX_RECORD_TOKENS = 1_000_000_000;

const timestamp = realTimestamp();

export const usageRecordInput = v.strictObject({
  /** The client's own id, unique per customer; the same id is counted once, however often it arrives. */
  id: v.pipe(v.string('must be a string'), v.regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters')),
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
  occurred_at: timestamp,
});
export type UsageRecordInput = v.InferOutput<typeof usageRecordInput>;

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
 * or in a period already billed; or its customer was erased.
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
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

/** The fields compared when an id arrives again, in the order a conflict names them. */
export const conflictFields = ['tokens', 'model', 'occurred_at', 'subscription_id'] as const;
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

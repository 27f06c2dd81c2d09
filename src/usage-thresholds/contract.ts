import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { thresholdMetrics, thresholdSetters } from '../../db/schema/index.ts';
import { subscriptionId } from '../subscriptions/contract.ts';
import { oneOf } from '../kernel/one-of.ts';

const MAX_VALUE = 1_000_000_000_000;
const whole = (what: string) =>
  v.pipe(v.number(`must be a whole number of ${what}`), v.safeInteger(`must be a whole number of ${what}`), v.minValue(0, 'must not be negative'), v.maxValue(MAX_VALUE, `must be at most ${MAX_VALUE}`));

export const usageThresholdId = v.pipe(v.string(), v.regex(/^uth_[0-9A-Z]{26}$/, 'must be a usage threshold id (uth_…)'));
export const usageThresholdParams = v.object({ id: subscriptionId, tid: usageThresholdId });

export const createUsageThresholdInput = v.strictObject({
  metric: oneOf(thresholdMetrics),
  /** Tokens for `tokens`; minor units of the subscription's currency for `amount`. */
  value: v.pipe(whole('tokens or minor units'), v.minValue(1, 'must be at least 1')),
  invoice_early: v.optional(v.boolean('must be true or false'), false),
});
export type CreateUsageThresholdInput = v.InferOutput<typeof createUsageThresholdInput>;

export const listUsageThresholdsQuery = v.object({ ...pageQuery });
export type ListUsageThresholdsQuery = v.InferOutput<typeof listUsageThresholdsQuery>;

export const usageThresholdResource = v.object({
  id: v.string(),
  object: v.literal('usage_threshold'),
  subscription_id: v.string(),
  metric: v.picklist(thresholdMetrics),
  value: v.number(),
  invoice_early: v.boolean(),
  /** `customer` when the customer's key or user set it (it may delete it); `operator` otherwise (only an operator may delete it). */
  set_by: v.picklist(thresholdSetters),
  created_at: v.string(),
  deleted_at: v.nullable(v.string()),
});
export type UsageThresholdResource = v.InferOutput<typeof usageThresholdResource>;

export const setMinimumSpendInput = v.strictObject({ amount: whole('minor units') });
export type SetMinimumSpendInput = v.InferOutput<typeof setMinimumSpendInput>;

export const minimumSpendResource = v.object({
  object: v.literal('minimum_spend'),
  subscription_id: v.string(),
  /** Minor units of the subscription's currency; 0 is none. */
  amount: v.object({ amount: v.number(), currency: v.string() }),
  updated_at: v.string(),
});
export type MinimumSpendResource = v.InferOutput<typeof minimumSpendResource>;

import * as v from 'valibot';
import { quotaPolicies } from '../../db/schema/index.ts';
import { maxChars, singleLine } from '../kernel/text.ts';
import { iso, whole } from '../events/shapes.ts';

/** A usage record as its producer knows it: the record alone, as POST /v1/usage takes it. */
const usageRecord = {
  id: v.pipe(v.string(), v.minLength(1), ...maxChars(200)),
  subscription_id: v.optional(v.string()),
  customer_id: v.string(),
  model: v.pipe(v.string(), singleLine, v.minLength(1), ...maxChars(100)),
  tokens: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  occurred_at: iso,
};

/** Usage records and quotas crossed; subject: the subscription. */
export const usageEvents = {
  /**
   * A usage record. Other services publish it with the record alone (`id`, `customer_id`,
   * `model`, `tokens`, `occurred_at`, optionally `subscription_id`); the billing consumer
   * records those. Ours are the records we accepted, with the period and overage added.
   */
  'usage.recorded': v.object({
    ...usageRecord,
    period_start: v.optional(iso),
    overage_tokens: v.optional(whole),
    recorded_at: v.optional(iso),
  }),
  /** A subscription period crossed its included tokens; once per period. */
  'usage.quota_exceeded': v.object({
    subscription_id: v.string(),
    customer_id: v.string(),
    period_start: iso,
    included_tokens: whole,
    quota_policy: v.picklist(quotaPolicies),
  }),
} as const;

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

/** What other services publish for this platform to consume; it never emits these. */
export const usageReports = ['usage.reported'] as const;

/** Usage: what other services report, what we accepted, and quotas crossed. */
export const usageEvents = {
  /**
   * Another service (an AI gateway) reports a usage record on the bus instead of calling
   * POST /v1/usage; the `usage-ingest` worker records it as that route would.
   */
  'usage.reported': v.object(usageRecord),
  /**
   * A usage record we accepted, with the period it counts in, its overage and when we recorded
   * it; subject: the subscription. Until the next minor release (0.2.0) other services may still
   * publish a report under this type (the record alone): see `isAcceptedUsage`.
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

type Recorded = v.InferOutput<(typeof usageEvents)['usage.recorded']>;

/** A `usage.recorded` that this platform emitted on accepting a record. */
export type AcceptedUsage = Recorded & Required<Pick<Recorded, 'subscription_id' | 'period_start' | 'overage_tokens' | 'recorded_at'>>;

/**
 * Whether a `usage.recorded` is a record we accepted rather than another service's report
 * under the deprecated type. Only acceptance knows the subscription it counts against, the
 * period, the overage and when it was recorded, and our producer (src/usage/record.ts)
 * always writes all four; a report is the record alone. Told apart by the data, not by the
 * envelope's `source`, so it holds whatever source a deployment names.
 */
export const isAcceptedUsage = (data: Recorded): data is AcceptedUsage =>
  data.subscription_id !== undefined && data.period_start !== undefined && data.overage_tokens !== undefined && data.recorded_at !== undefined;

import * as v from 'valibot';
import { quotaPolicies, tokenTypes } from '../../db/schema/index.ts';
import { maxChars, singleLine } from '../kernel/text.ts';
import { iso, whole } from '../events/shapes.ts';

/** A usage record as its producer knows it: the record alone, as POST /v1/usage takes it. */
const usageRecord = {
  id: v.pipe(v.string(), v.minLength(1), ...maxChars(200)),
  subscription_id: v.optional(v.string()),
  customer_id: v.string(),
  model: v.pipe(v.string(), singleLine, v.minLength(1), ...maxChars(100)),
  tokens: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  /** A dimension of `ai_tokens` (`input`, `output`, `cached`); absent: none. */
  token_type: v.optional(v.picklist(tokenTypes)),
  occurred_at: iso,
};

const properties = v.record(v.string(), v.union([v.string(), v.number()]));

/** A usage event for any meter as its producer knows it, as POST /v1/usage takes it. */
const usageEvent = {
  id: v.pipe(v.string(), v.minLength(1), ...maxChars(200)),
  subscription_id: v.optional(v.string()),
  customer_id: v.string(),
  meter: v.string(),
  timestamp: iso,
  properties,
};

/** What other services publish for this platform to consume; it never emits these. */
export const usageReports = ['usage.reported'] as const;

/** Usage: what other services report, what we accepted, and quotas crossed. */
export const usageEvents = {
  /**
   * Another service (an AI gateway) reports a usage record on the bus instead of calling
   * POST /v1/usage; the `usage-ingest` worker records it as that route would.
   */
  'usage.reported': v.union([v.object(usageRecord), v.object(usageEvent)]),
  /**
   * A usage record we accepted, with the period it counts in, its overage and when we recorded
   * it; subject: the subscription. Until the next minor release (0.2.0) other services may still
   * publish a report under this type (the record alone): see `isAcceptedUsage`.
   *
   * A usage event (any meter) carries its `meter` and `properties` besides the token record's
   * fields, kept so that consumers reading those go on working: `model` is its `model` property
   * when a string, else ''; `tokens` what it counted (the value read; 1 for count and
   * unique_count), a token count only when `meter` is `ai_tokens` (or absent). A token record
   * carries `token_type` when it has one.
   */
  'usage.recorded': v.object({
    ...usageRecord,
    model: v.pipe(v.string(), singleLine, ...maxChars(100)),
    tokens: whole,
    meter: v.optional(v.string()),
    properties: v.optional(properties),
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

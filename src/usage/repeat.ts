import type { InferSelectModel } from 'drizzle-orm';
import type { usageRecords } from '../../db/schema/index.ts';
import { BUILT_IN_METER_CODE } from '../../db/schema/index.ts';
import { isUsageEvent, type ConflictField, type UsageRecordInput } from './contract.ts';

export type UsageRecordRow = InferSelectModel<typeof usageRecords>;

type Properties = Record<string, string | number>;

/** The properties a stored record carried: a token record stored without `token_type` keeps none, so they are its model and tokens. */
export const storedProperties = (stored: Pick<UsageRecordRow, 'properties' | 'model' | 'tokens'>): Properties => stored.properties ?? { model: stored.model, tokens: stored.tokens };

/** Properties as one text whatever order their keys came in. */
export const canonicalProperties = (properties: Properties): string => JSON.stringify(Object.keys(properties).sort().map((k) => [k, properties[k]]));

/**
 * A record arriving under an id its customer already used: the first field in which
 * it differs from the stored record, or null when it is the same record again (a
 * retry). Times are compared as instants, so another spelling of the same time is
 * the same record; `subscription_id` only when the new record names one. A token record
 * is an `ai_tokens` usage event with `model`, `tokens` and `token_type` as its properties,
 * so a usage event carrying exactly those repeats it.
 */
export function differingField(stored: UsageRecordRow, input: UsageRecordInput): ConflictField | null {
  if (isUsageEvent(input)) {
    if (input.meter !== stored.meter) return 'meter';
    if (Date.parse(input.timestamp) !== stored.occurredAt) return 'timestamp';
    if (canonicalProperties(input.properties) !== canonicalProperties(storedProperties(stored))) return 'properties';
  } else {
    if (stored.meter !== BUILT_IN_METER_CODE) return 'meter';
    const props = storedProperties(stored);
    if (input.tokens !== props.tokens) return 'tokens';
    if (input.model !== props.model) return 'model';
    if (input.token_type !== props.token_type) return 'token_type';
    if (Date.parse(input.occurred_at) !== stored.occurredAt) return 'occurred_at';
  }
  if (input.subscription_id !== undefined && input.subscription_id !== stored.subscriptionId) return 'subscription_id';
  return null;
}

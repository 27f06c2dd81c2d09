import type { InferSelectModel } from 'drizzle-orm';
import type { usageRecords } from '../../db/schema/index.ts';
import type { ConflictField, UsageRecordInput } from './contract.ts';

export type UsageRecordRow = InferSelectModel<typeof usageRecords>;

/**
 * A record arriving under an id its customer already used: the first field in which
 * it differs from the stored record, or null when it is the same record again (a
 * retry). Times are compared as instants, so another spelling of the same time is
 * the same record; `subscription_id` only when the new record names one.
 */
export function differingField(stored: UsageRecordRow, input: UsageRecordInput): ConflictField | null {
  if (input.tokens !== stored.tokens) return 'tokens';
  if (input.model !== stored.model) return 'model';
  if (Date.parse(input.occurred_at) !== stored.occurredAt) return 'occurred_at';
  if (input.subscription_id !== undefined && input.subscription_id !== stored.subscriptionId) return 'subscription_id';
  return null;
}

import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { oneOf } from '../kernel/one-of.ts';
import { maxChars } from '../kernel/text.ts';

/** Where a dead letter stands: `waiting` (not replayed, or parked again since) or `replayed`. */
export const deadLetterStates = ['waiting', 'replayed'] as const;

export const deadLetterId = v.pipe(v.string(), v.regex(/^dlq_[0-9A-Z]{26}$/, 'must be a dead letter id (dlq_…)'));
export const deadLetterParams = v.object({ id: deadLetterId });

export const listDeadLettersQuery = v.object({
  ...pageQuery,
  group: v.optional(v.pipe(v.string(), ...maxChars(100))),
  /** `waiting` (not replayed, or parked again since) or `replayed`. */
  state: v.optional(oneOf(deadLetterStates)),
});
export type ListDeadLettersQuery = v.InferOutput<typeof listDeadLettersQuery>;

/** An event a consumer group could not handle, with the reason and its replays. */
export const deadLetterResource = v.object({
  id: v.string(),
  object: v.literal('dead_letter'),
  group: v.string(),
  event_id: v.string(),
  type: v.string(),
  reason: v.string(),
  /** The envelope as it was parked: the CloudEvent, or whatever arrived when it was not one. */
  event: v.unknown(),
  created_at: v.string(),
  replayed_at: v.nullable(v.string()),
  replays: v.number(),
});
export type DeadLetterResource = v.InferOutput<typeof deadLetterResource>;

import type { InferSelectModel } from 'drizzle-orm';
import type { deadLetters } from '../../db/schema/index.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { DeadLetterResource } from './contract.ts';

export type DeadLetterRow = InferSelectModel<typeof deadLetters>;

/** The parked envelope, parsed when it is JSON (it always is when the bus parked it). */
function parsedEnvelope(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The API shape of a dead letter. */
export function toDeadLetterResource(row: DeadLetterRow): DeadLetterResource {
  return {
    id: row.id,
    object: 'dead_letter',
    group: row.consumer,
    event_id: row.eventId,
    type: row.type,
    reason: row.reason,
    event: parsedEnvelope(row.envelope),
    created_at: toIso(row.createdAt),
    replayed_at: toIsoOrNull(row.replayedAt),
    replays: row.replays,
  };
}

import { count, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { deadLetters } from '../../db/schema/index.ts';
import type { Clock } from '../kernel/clock.ts';
import { sha256Hex } from '../kernel/hash.ts';
import { newId } from '../kernel/ids.ts';
import type { Transactor } from '../kernel/transactor.ts';

/**
 * The dead-letter table: what `/v1/consumers` counts and erasure redacts, whatever the
 * bus. (consumer, event id) is unique so a redelivered event is parked once; an envelope
 * without an id is keyed by its content, so two different ones are both kept. An event
 * that fails again after an operator replayed it is parked again: same row, the new
 * reason, waiting for another replay.
 */
export async function recordDeadLetter(deps: { transactor: Transactor; clock: Clock }, group: string, raw: unknown, reason: string): Promise<void> {
  const envelope = raw as { id?: unknown; type?: unknown } | null;
  const body = JSON.stringify(raw) ?? 'null';
  const eventId = typeof envelope?.id === 'string' ? envelope.id : `unknown:${await sha256Hex(body)}`;
  const now = deps.clock.now();
  await deps.transactor.write((tx) =>
    tx
      .insert(deadLetters)
      .values({ id: newId('dlq', now), consumer: group, eventId, type: typeof envelope?.type === 'string' ? envelope.type : 'unknown', envelope: body, reason, createdAt: now })
      .onConflictDoUpdate({ target: [deadLetters.consumer, deadLetters.eventId], set: { reason, envelope: body, replayedAt: null }, setWhere: isNotNull(deadLetters.replayedAt) }),
  );
}

/** Dead letters per consumer group. */
export async function deadLetterCounts(db: Db): Promise<Map<string, number>> {
  const parked = await db.select({ consumer: deadLetters.consumer, n: count() }).from(deadLetters).groupBy(deadLetters.consumer);
  return new Map(parked.map((p) => [p.consumer, p.n]));
}

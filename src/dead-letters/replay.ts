import { eq } from 'drizzle-orm';
import { deadLetters } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { Bus } from '../bus/bus.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import { toDeadLetterResource } from './present.ts';
import { loadDeadLetter } from './queries.ts';

/**
 * Hands a dead letter back to the consumer group that parked it (that group only:
 * the others handled the event or parked it themselves), marks it replayed and
 * audits it, in one transaction. Replaying one already replayed changes nothing and
 * answers it as it is; if the replay fails again the group parks it again (the same
 * row, the new reason, `replayed_at` cleared) and it can be replayed once more. The
 * group's inbox dedupes by the event's id, so its effect happens at most once.
 *
 * Needs a bus that can redeliver in the database's transaction (the embedded bus).
 * On Kafka the event is also in `<topic>.dlq` with its reason in the headers: replay
 * it from there with Kafka's tooling; here it is a 409.
 */
export function replayDeadLetter(ctx: Ctx, bus: Bus, id: string) {
  return withTransaction(ctx, async (ctx) => {
    const row = await loadDeadLetter(ctx.tx, id);
    if (row.replayedAt !== null) return toDeadLetterResource(row);
    if (!bus.redeliver) throw conflict(`the ${bus.name} bus cannot replay from the database; replay the event from its .dlq topic`, { bus: bus.name });
    const envelope = parseEnvelope(row.envelope);
    if (row.eventId.startsWith('unknown:') || !envelope) throw conflict('this dead letter is not an event with an id and a type; it cannot be replayed, only fixed at its producer', { event_id: row.eventId });
    const replays = row.replays + 1;
    await bus.redeliver(ctx.tx, { group: row.consumer, key: `replay:${row.id}:${replays}`, type: row.type, subject: envelope.subject, envelope: row.envelope });
    const [replayed] = await ctx.tx.update(deadLetters).set({ replayedAt: ctx.clock.now(), replays }).where(eq(deadLetters.id, id)).returning();
    await recordAudit(ctx, { action: 'dead_letter.replay', targetType: 'dead_letter', targetId: id, data: { group: row.consumer, event_id: row.eventId, type: row.type, replay: replays } });
    return toDeadLetterResource(replayed!);
  });
}

/** The parked envelope's subject, when it is an event with an id and a type. */
function parseEnvelope(text: string): { subject: string } | null {
  try {
    const parsed = JSON.parse(text) as { id?: unknown; type?: unknown; subject?: unknown } | null;
    if (typeof parsed?.id !== 'string' || typeof parsed.type !== 'string') return null;
    return { subject: typeof parsed.subject === 'string' ? parsed.subject : '' };
  } catch {
    return null;
  }
}

import { eq, max, sql } from 'drizzle-orm';
import { prepared, insertMany } from '../../db/prepared.ts';
import { busLog, deadLetters, outbox } from '../../db/schema/index.ts';
import { redactJsonText, redactPersonal } from '../kernel/redact.ts';
import { newId } from '../kernel/ids.ts';
import type { TxCtx } from '../kernel/context.ts';
import { catalog, type NewEvent } from './catalog.ts';
import { parseEventData } from './check-data.ts';

// Every command writes here: prepared once per connection.
const insertEvents = insertMany(outbox);
const lastSequenceOf = prepared((db) => db.select({ n: max(outbox.sequence) }).from(outbox).where(eq(outbox.subject, sql.placeholder('subject'))).prepare());

/**
 * Writes events to the outbox inside the caller's transaction, so they commit
 * with the state they describe or not at all. Validates each against the catalog
 * and numbers it within its subject.
 */
export async function emit(ctx: TxCtx, events: NewEvent[]): Promise<string[]> {
  const ids: string[] = [];
  const now = ctx.clock.now();
  const next = new Map<string, number>();
  const rows: (typeof outbox.$inferSelect)[] = [];
  for (const event of events) {
    const schema = catalog[event.type];
    // As v.safeParse, cheaper for values the batch's earlier events already passed (src/events/check-data.ts).
    const parsed = parseEventData(schema, event.data);
    // A command emitting an event that breaks its own schema is a bug, not bad input.
    if (!parsed.success) throw new Error(`event ${event.type} does not match its schema: ${parsed.issues[0]?.message}`);
    const sequence = next.get(event.subject) ?? (await lastSequence(ctx, event.subject)) + 1;
    next.set(event.subject, sequence + 1);
    const id = newId('evt', now);
    rows.push({ id, type: event.type, source: ctx.eventSource, subject: event.subject, sequence, time: now, data: parsed.output as Record<string, unknown>, publishedAt: null, claimedUntil: null, attempts: 0, lastError: null, requestId: ctx.requestId ?? null, traceparent: ctx.traceparent ?? null });
    ids.push(id);
  }
  // A batch's events (a usage batch emits one per record) go in one statement.
  await insertEvents(ctx.tx, rows);
  return ids;
}

async function lastSequence(ctx: TxCtx, subject: string): Promise<number> {
  const row = await lastSequenceOf(ctx.tx).get({ subject });
  return row?.n ?? 0;
}

/**
 * Removes personal data from stored events of a subject (right to erasure):
 * the events, their ids and order stay; names, emails and phone numbers go,
 * also where `needles` (the person's addresses) appear inside text.
 * The embedded bus keeps its copies (log and dead letters) in the same
 * database, so they are redacted in the same transaction. A Kafka topic cannot
 * be rewritten: there, retention bounds how long published copies live.
 */
export async function redactSubject(ctx: TxCtx, subject: string, needles: readonly string[]): Promise<void> {
  const rows = await ctx.tx.select({ id: outbox.id, data: outbox.data }).from(outbox).where(eq(outbox.subject, subject));
  for (const row of rows) {
    await ctx.tx.update(outbox).set({ data: redactPersonal(row.data, needles) as Record<string, unknown> }).where(eq(outbox.id, row.id));
  }
  const logged = await ctx.tx.select({ offset: busLog.offset, envelope: busLog.envelope }).from(busLog).where(eq(busLog.subject, subject));
  for (const row of logged) {
    await ctx.tx.update(busLog).set({ envelope: redactJsonText(row.envelope, needles) }).where(eq(busLog.offset, row.offset));
  }
  const parked = await ctx.tx
    .select({ id: deadLetters.id, envelope: deadLetters.envelope, reason: deadLetters.reason })
    .from(deadLetters)
    .where(sql`instr(${deadLetters.envelope}, ${subject}) > 0`);
  for (const row of parked) {
    await ctx.tx
      .update(deadLetters)
      .set({ envelope: redactJsonText(row.envelope, needles), reason: redactPersonal(row.reason, needles) as string })
      .where(eq(deadLetters.id, row.id));
  }
}

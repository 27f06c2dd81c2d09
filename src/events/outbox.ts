import { eq, max } from 'drizzle-orm';
import * as v from 'valibot';
import { busLog, outbox } from '../../db/schema/index.ts';
import { newId } from '../kernel/ids.ts';
import type { TxCtx } from '../kernel/context.ts';
import { catalog, type NewEvent } from './catalog.ts';

/**
 * Writes events to the outbox inside the caller's transaction, so they commit
 * with the state they describe or not at all. Validates each against the catalog
 * and numbers it within its subject.
 */
export async function emit(ctx: TxCtx, events: NewEvent[]): Promise<string[]> {
  const ids: string[] = [];
  const now = ctx.clock.now();
  const next = new Map<string, number>();
  for (const event of events) {
    const schema = catalog[event.type];
    const parsed = v.safeParse(schema, event.data);
    // A command emitting an event that breaks its own schema is a bug, not bad input.
    if (!parsed.success) throw new Error(`event ${event.type} does not match its schema: ${parsed.issues[0]?.message}`);
    const sequence = next.get(event.subject) ?? (await lastSequence(ctx, event.subject)) + 1;
    next.set(event.subject, sequence + 1);
    const id = newId('evt', now);
    await ctx.tx.insert(outbox).values({
      id,
      type: event.type,
      source: ctx.eventSource,
      subject: event.subject,
      sequence,
      time: now,
      data: parsed.output as Record<string, unknown>,
    });
    ids.push(id);
  }
  return ids;
}

async function lastSequence(ctx: TxCtx, subject: string): Promise<number> {
  const [row] = await ctx.tx.select({ n: max(outbox.sequence) }).from(outbox).where(eq(outbox.subject, subject));
  return row?.n ?? 0;
}

/**
 * Removes personal data from stored events of a subject (right to erasure):
 * the events, their ids and order stay; names, emails and phone numbers go.
 */
export async function redactSubject(ctx: TxCtx, subject: string): Promise<void> {
  const rows = await ctx.tx.select({ id: outbox.id, data: outbox.data }).from(outbox).where(eq(outbox.subject, subject));
  for (const row of rows) {
    await ctx.tx.update(outbox).set({ data: redact(row.data) as Record<string, unknown> }).where(eq(outbox.id, row.id));
  }
  // The embedded bus keeps its own copy of each envelope in the same database.
  const logged = await ctx.tx.select({ offset: busLog.offset, envelope: busLog.envelope }).from(busLog).where(eq(busLog.subject, subject));
  for (const row of logged) {
    await ctx.tx.update(busLog).set({ envelope: JSON.stringify(redact(JSON.parse(row.envelope))) }).where(eq(busLog.offset, row.offset));
  }
}

const PERSONAL_KEYS = new Set(['name', 'email', 'phone', 'recipient']);

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, PERSONAL_KEYS.has(k) ? null : redact(v)]),
    );
  }
  return value;
}

import { preparedInsert } from '../../db/prepared.ts';
import { auditLog } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import type { AuditRecordedData } from './events.ts';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  data?: Record<string, unknown>;
}

// Every command writes one: prepared once per connection.
const insertAudit = preparedInsert(auditLog);

/** Writes an audit row in the caller's transaction: the change and its record commit together. */
export async function recordAudit(ctx: TxCtx, entry: AuditEntry): Promise<void> {
  const at = ctx.clock.now();
  await insertAudit(ctx.tx, {
    id: newId('aud', at),
    actor: ctx.actor.id,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    requestId: ctx.requestId ?? null,
    at,
    data: entry.data ?? null,
    source: null,
    eventId: null,
  });
}

/** An audit entry another service reported: its `audit.recorded` event's source, id, request and data. */
export interface ForeignAuditEntry {
  source: string;
  eventId: string;
  requestId: string | null;
  entry: AuditRecordedData;
}

/**
 * Adds another service's audit entry to the trail under its source. The actor is shown as
 * `<kind>:<id>` as that service knows it; `at` is when it happened there, while the entry's id
 * (the list's order) is when it reached the trail. The same event again (by source and event id)
 * adds nothing. Returns whether it was added.
 */
export async function recordForeignAudit(ctx: TxCtx, input: ForeignAuditEntry): Promise<boolean> {
  const { entry } = input;
  const added = await ctx.tx
    .insert(auditLog)
    .values({
      id: newId('aud', ctx.clock.now()),
      actor: `${entry.actor.kind}:${entry.actor.id}`,
      action: entry.action,
      targetType: entry.target_type,
      targetId: entry.target_id,
      requestId: input.requestId,
      at: Date.parse(entry.at),
      data: entry.data ?? null,
      source: input.source,
      eventId: input.eventId,
    })
    .onConflictDoNothing()
    .returning({ id: auditLog.id });
  return added.length > 0;
}

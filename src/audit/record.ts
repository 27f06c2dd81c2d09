import { preparedInsert } from '../../db/prepared.ts';
import { auditLog } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';

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
  });
}

import { and, desc, eq, lt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { auditLog } from '../../db/schema/index.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { toIso } from '../kernel/clock.ts';

/** The validated query of GET /v1/audit. */
export interface ListAuditQuery {
  limit: number;
  cursor?: string;
  actor?: string;
  action?: string;
  target_id?: string;
}

/** Audit entries newest first, filtered by actor, action or target, one keyset page at a time. */
export async function listAudit(db: Executor, query: ListAuditQuery) {
  const after = decodeCursor(query.cursor, 'string');
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        after ? lt(auditLog.id, after) : undefined,
        query.actor ? eq(auditLog.actor, query.actor) : undefined,
        query.action ? eq(auditLog.action, query.action) : undefined,
        query.target_id ? eq(auditLog.targetId, query.target_id) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => r.id, (r) => ({
    id: r.id,
    actor: r.actor,
    action: r.action,
    target_type: r.targetType,
    target_id: r.targetId,
    request_id: r.requestId,
    at: toIso(r.at),
    data: r.data,
  }));
}

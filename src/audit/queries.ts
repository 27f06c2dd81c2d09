import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { auditLog } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import type { AuditEntryResource } from './contract.ts';

/** The validated query of GET /v1/audit. */
export interface ListAuditQuery {
  limit: number;
  cursor?: string;
  actor?: string;
  action?: string;
  target_id?: string;
}

/** Audit entries newest first, filtered by actor, action or target, one keyset page at a time. */
export function listAudit(db: Executor, query: ListAuditQuery) {
  const where = [filterBy(auditLog.actor, query.actor), filterBy(auditLog.action, query.action), filterBy(auditLog.targetId, query.target_id)];
  return listPage(db.select().from(auditLog).$dynamic(), query, { key: auditLog.id, keyOf: (r) => r.id, where, present: (rows) => rows.map(toAuditEntry) });
}

/** An audit row as the API shows it. */
function toAuditEntry(r: typeof auditLog.$inferSelect): AuditEntryResource {
  return {
    id: r.id,
    actor: r.actor,
    action: r.action,
    target_type: r.targetType,
    target_id: r.targetId,
    request_id: r.requestId,
    at: toIso(r.at),
    data: r.data,
  };
}

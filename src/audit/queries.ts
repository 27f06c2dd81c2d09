import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { auditLog } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import type { AuditEntryResource, ListAuditQuery } from './contract.ts';

/** Audit entries newest first, filtered by actor, action, target or reporting service, one keyset page at a time. */
export function listAudit(db: Executor, query: ListAuditQuery) {
  const where = [filterBy(auditLog.actor, query.actor), filterBy(auditLog.action, query.action), filterBy(auditLog.targetId, query.target_id), filterBy(auditLog.source, query.source)];
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
    source: r.source,
  };
}

import { and, desc, eq, lt } from 'drizzle-orm';
import { Hono } from 'hono';
import * as v from 'valibot';
import { auditLog } from '../../db/schema/index.ts';
import { requireRole } from '../http/auth.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { decodeCursor, pageQuery, pageSchema, toPage } from '../http/pagination.ts';
import { validate } from '../http/validate.ts';
import { toIso } from '../kernel/clock.ts';

const auditQuery = v.object({
  ...pageQuery,
  actor: v.optional(v.pipe(v.string(), v.maxLength(100))),
  action: v.optional(v.pipe(v.string(), v.maxLength(100))),
  target_id: v.optional(v.pipe(v.string(), v.maxLength(100))),
});

const auditResource = v.object({
  id: v.string(),
  actor: v.string(),
  action: v.string(),
  target_type: v.string(),
  target_id: v.string(),
  request_id: v.nullable(v.string()),
  at: v.string(),
  data: v.nullable(v.record(v.string(), v.unknown())),
});

/** /v1/audit: who changed what; admins only. */
export function auditRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/',
    requireRole('admin'),
    doc({ summary: 'List audit entries', description: 'Newest first. Filter by actor, action or target_id.', tags: ['Audit'], access: 'admin', success: { status: 200, description: 'A page of audit entries', schema: pageSchema(auditResource) } }),
    validate('query', auditQuery),
    async (c) => {
      const q = c.req.valid('query');
      const after = decodeCursor(q.cursor, 'string');
      const rows = await c
        .get('deps')
        .db.select()
        .from(auditLog)
        .where(
          and(
            after ? lt(auditLog.id, after) : undefined,
            q.actor ? eq(auditLog.actor, q.actor) : undefined,
            q.action ? eq(auditLog.action, q.action) : undefined,
            q.target_id ? eq(auditLog.targetId, q.target_id) : undefined,
          ),
        )
        .orderBy(desc(auditLog.id))
        .limit(q.limit + 1);
      return c.json(
        toPage(rows, q.limit, (r) => r.id, (r) => ({
          id: r.id,
          actor: r.actor,
          action: r.action,
          target_type: r.targetType,
          target_id: r.targetId,
          request_id: r.requestId,
          at: toIso(r.at),
          data: r.data,
        })),
      );
    },
  );
  return app;
}

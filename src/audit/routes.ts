import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { auditResource, listAuditQuery } from './contract.ts';
import { listAudit } from './queries.ts';

/** /v1/audit: who changed what, here and (through `audit.recorded`) in other services; admins only. */
export function auditRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/',
    doc({
      summary: 'List audit entries',
      description: "Newest first. Filter by actor, action, target_id or source (the service that reported an entry through `audit.recorded`; this platform's own entries have `source` null).",
      tags: ['Audit'],
      access: 'admin',
      tenant: 'none',
      success: { status: 200, description: 'A page of audit entries', schema: pageSchema(auditResource) },
    }),
    validate('query', listAuditQuery),
    async (c) => c.json(await listAudit(c.get('deps').db, c.req.valid('query'))),
  );
  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const auditMounts: Mount[] = [mount('/audit', auditRoutes)];

import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { pageQuery, pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { auditResource } from './contract.ts';
import { listAudit } from './queries.ts';
import { maxChars } from '../kernel/text.ts';

const auditQuery = v.object({
  ...pageQuery,
  actor: v.optional(v.pipe(v.string(), ...maxChars(100))),
  action: v.optional(v.pipe(v.string(), ...maxChars(100))),
  target_id: v.optional(v.pipe(v.string(), ...maxChars(100))),
});

/** /v1/audit: who changed what; admins only. */
export function auditRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/',
    doc({ summary: 'List audit entries', description: 'Newest first. Filter by actor, action or target_id.', tags: ['Audit'], access: 'admin', tenant: 'none', success: { status: 200, description: 'A page of audit entries', schema: pageSchema(auditResource) } }),
    validate('query', auditQuery),
    async (c) => c.json(await listAudit(c.get('deps').db, c.req.valid('query'))),
  );
  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const auditMounts: Mount[] = [mount('/audit', auditRoutes)];

import { Hono } from 'hono';
import { customerParams } from '../customers/contract.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { profileResource } from './contract.ts';
import { getProfile } from './queries.ts';

/** /v1/customers/:id/profile: the profiling worker's latest view of a customer. */
export function profileRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/:id/profile',
    doc({ summary: "Get a customer's profile", description: 'Segment and risk score with the reasons for both, as last computed by the profiling worker. 404 until the first profile exists.', tags: ['Customers'], access: 'viewer', scope: 'customers:read', tenant: 'customer', success: { status: 200, description: 'The profile', schema: profileResource }, errors: [404] }),
    validate('param', customerParams),
    async (c) => c.json(await getProfile(c.get('deps').db, c.req.valid('param').id)),
  );
  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const profilingMounts: Mount[] = [mount('/customers', profileRoutes)];

import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { describeRoute, resolver } from 'hono-openapi';
import * as v from 'valibot';
import { migrationStatus } from '../../db/migration-status.ts';
import { describeError } from '../kernel/errors.ts';
import { access } from './access.ts';
import type { AppEnv } from './env.ts';

const readiness = v.object({ status: v.picklist(['ready', 'not_ready']), checks: v.record(v.string(), v.string()) });
/** The body of `/readyz`: each check and the verdict. */
export type Readiness = v.InferOutput<typeof readiness>;
const healthDoc = describeRoute({
  summary: 'Liveness', tags: ['Operations'], description: 'Open: no token needed.', security: [],
  responses: { 200: { description: 'The process is up', content: { 'application/json': { schema: resolver(v.object({ status: v.literal('ok') })) } } } },
});
const readyDoc = describeRoute({
  summary: 'Readiness', tags: ['Operations'], description: 'Database, migrations and bus. Open: no token needed.', security: [],
  responses: {
    200: { description: 'Ready to serve', content: { 'application/json': { schema: resolver(readiness) } } },
    503: { description: 'A check failed; `checks` says which', content: { 'application/json': { schema: resolver(readiness) } } },
  },
});

/** `/healthz` (the process is up) and `/readyz` (database reachable, migrations applied, bus reachable). */
export function healthRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/healthz', access('public'), healthDoc, (c) => c.json({ status: 'ok' }));
  app.get('/readyz', access('public'), readyDoc, async (c) => {
    const { db, bus, logger } = c.get('deps');
    const check = async (name: string, probe: () => Promise<string>) => {
      try {
        return [name, await probe()] as const;
      } catch (error) {
        logger.warn('readiness check failed', { check: name, error: describeError(error) });
        return [name, 'unreachable'] as const;
      }
    };
    const checks = Object.fromEntries(
      await Promise.all([
        check('database', async () => (await db.run(sql`SELECT 1`), 'ok')),
        check('migrations', async () => {
          const { applied, expected } = await migrationStatus(db);
          return applied >= expected ? 'ok' : `${applied}/${expected} applied`;
        }),
        check('bus', async () => ((await bus.ping()) ? 'ok' : 'unreachable')),
      ]),
    );
    const ready = Object.values(checks).every((value) => value === 'ok');
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  return app;
}

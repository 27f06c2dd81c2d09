import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { describeRoute, resolver } from 'hono-openapi';
import * as v from 'valibot';
import { migrationStatus } from '../../db/migration-status.ts';
import { storageFaultOf } from '../../db/storage-fault.ts';
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
  summary: 'Readiness', tags: ['Operations'],
  description: 'Database, migrations, storage (whether the database takes writes: `disk_full`, `read_only`, `io_error` or `cannot_open` with the driver\'s message when not) and bus. Open: no token needed.',
  security: [],
  responses: {
    200: { description: 'Ready to serve', content: { 'application/json': { schema: resolver(readiness) } } },
    503: { description: 'A check failed; `checks` says which', content: { 'application/json': { schema: resolver(readiness) } } },
  },
});

/** Free space under which a local database file's disk counts as full (readiness). */
const MIN_FREE_BYTES = 1024 * 1024;

/**
 * A write that always reaches the file (a no-op UPDATE still writes its page, a commit with
 * nothing changed writes nothing): whether the database takes writes at all.
 */
const probeWrite = sql`UPDATE __drizzle_migrations SET created_at = created_at WHERE id = (SELECT max(id) FROM __drizzle_migrations)`;

/**
 * `/healthz` (the process is up) and `/readyz` (database reachable, migrations applied, storage
 * taking writes, bus reachable). Each `/readyz` commits one small write, so a full or read-only
 * database is reported before a request fails on it, and the process is ready again by itself
 * as soon as the database takes writes, with no restart.
 */
export function healthRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/healthz', access('public'), healthDoc, (c) => c.json({ status: 'ok' }));
  app.get('/readyz', access('public'), readyDoc, async (c) => {
    const { db, bus, logger, transactor, database } = c.get('deps');
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
        check('storage', async () => {
          try {
            await transactor.write(async (tx) => {
              await tx.run(probeWrite);
            });
            // A file system with a few KiB left still takes a one-page write into space the log already
            // holds, while a command's commit fails: under MIN_FREE_BYTES the disk counts as full.
            const free = database?.freeBytes?.();
            return free !== undefined && free < MIN_FREE_BYTES ? `disk_full: ${free} bytes free on the database's file system` : 'ok';
          } catch (error) {
            const fault = storageFaultOf(error);
            if (!fault) throw error;
            return `${fault.kind}: ${fault.message}`;
          }
        }),
        check('bus', async () => ((await bus.ping()) ? 'ok' : 'unreachable')),
      ]),
    );
    const ready = Object.values(checks).every((value) => value === 'ok');
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  return app;
}

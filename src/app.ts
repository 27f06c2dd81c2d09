import { Scalar } from '@scalar/hono-api-reference';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { describeRoute, openAPIRouteHandler, resolver } from 'hono-openapi';
import * as v from 'valibot';
import { appliedMigrationCount } from '../db/migrate.ts';
import journal from '../db/migrations/meta/_journal.json' with { type: 'json' };
import { auditRoutes } from './audit/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { customerRoutes } from './customers/routes.ts';
import type { Deps } from './deps.ts';
import { eventRoutes } from './events/routes.ts';
import { requireAuth } from './http/auth.ts';
import type { AppEnv } from './http/env.ts';
import { idempotency } from './http/idempotency.ts';
import { problemCatalog, handleError, problemFor, sendProblem } from './http/problem.ts';
import { requestId } from './http/request-id.ts';
import { operatorRoutes } from './operators/routes.ts';
import { profileRoutes } from './profiling/routes.ts';
import { userRoutes } from './users/routes.ts';
import { DomainError, describeError, type ErrorCode } from './kernel/errors.ts';

const anonymous = { id: 'anonymous', kind: 'operator', role: 'viewer' } as const;

const readiness = v.object({ status: v.picklist(['ready', 'not_ready']), checks: v.record(v.string(), v.string()) });
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

/** Builds the HTTP API over the given dependencies. No I/O happens here. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound((c) => sendProblem(c, problemFor('not_found', `no route for ${c.req.method} ${c.req.path}`, c.req.path)));

  app.use(requestId());
  app.use(async function provideContext(c, next) {
    c.set('deps', deps);
    c.set('ctx', {
      db: deps.db,
      transactor: deps.transactor,
      clock: deps.clock,
      logger: deps.logger,
      eventSource: deps.eventSource,
      actor: anonymous,
      requestId: c.get('requestId'),
    });
    await next();
  });

  app.get('/healthz', healthDoc, (c) => c.json({ status: 'ok' }));
  app.get('/readyz', readyDoc, async (c) => {
    const checks: Record<string, string> = {};
    try {
      await deps.db.run(sql`SELECT 1`);
      checks.database = 'ok';
      const applied = await appliedMigrationCount(deps.db);
      checks.migrations = applied >= journal.entries.length ? 'ok' : `${applied}/${journal.entries.length} applied`;
      checks.bus = (await deps.bus.ping()) ? 'ok' : 'unreachable';
    } catch (error) {
      deps.logger.warn('readiness check failed', { error: describeError(error) });
      checks.database ??= 'unreachable';
    }
    const ready = Object.values(checks).length === 3 && Object.values(checks).every((v) => v === 'ok');
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  app.get('/problems/:code', (c) => {
    const code = c.req.param('code') as ErrorCode;
    if (!Object.hasOwn(problemCatalog, code)) throw new DomainError('not_found', `no problem type ${code}`);
    return c.json({ type: `/problems/${code}`, code, ...problemCatalog[code] });
  });

  const v1 = new Hono<AppEnv>();
  v1.route('/auth', authRoutes());
  v1.use(requireAuth());
  v1.use(idempotency());
  v1.route('/customers', customerRoutes());
  v1.route('/customers', userRoutes());
  v1.route('/customers', profileRoutes());
  v1.route('/operators', operatorRoutes());
  v1.route('/audit', auditRoutes());
  v1.route('/', eventRoutes());
  app.route('/v1', v1);

  app.get(
    '/openapi.json',
    openAPIRouteHandler(app, {
      documentation: {
        openapi: '3.1.0',
        info: {
          title: 'Subscription Platform API',
          version: '0.1.0',
          description: 'Customers, their users and lifecycle, domain events and workers. Errors are RFC 9457 problem+json. Every POST accepts an Idempotency-Key.',
        },
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      },
      exclude: ['/openapi.json', '/docs', '/problems/{code}'],
    }),
  );
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'Subscription Platform API' }));
  return app;
}

export type App = ReturnType<typeof createApp>;

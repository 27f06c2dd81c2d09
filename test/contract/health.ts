import { describe, expect, test } from 'bun:test';
import type { OpenApiDocument } from '../harness.ts';
import type { Readiness } from '../../src/http/health.ts';
import type { Session } from './session.ts';

/** Every route group the OpenAPI document must show, by one of its paths. */
const documentedPaths = [
  '/v1/auth/login', '/v1/auth/me', '/v1/operators', '/v1/audit', '/v1/customers', '/v1/customers/{id}/users',
  '/v1/customers/{id}/profile', '/v1/customers/{id}/credits', '/v1/plans', '/v1/subscriptions', '/v1/usage',
  '/v1/invoices', '/v1/payments/{id}', '/v1/events', '/v1/consumers',
];

/** The open routes: liveness, readiness with migrations, the OpenAPI document, the problem catalog. */
export function healthContract(s: Session) {
  describe('health and documents', () => {
    test('/healthz answers 200 and /readyz is ready with the database and its migrations ok', async () => {
      const live = await s.api.call('GET', '/healthz', { token: null });
      expect({ status: live.status, body: live.body }).toEqual({ status: 200, body: { status: 'ok' } });
      const ready = await s.api.call<Readiness>('GET', '/readyz', { token: null });
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok', storage: 'ok' } });
    });

    test('/openapi.json is an OpenAPI 3.1 document of every route group, open to all', async () => {
      const res = await s.api.call<OpenApiDocument>('GET', '/openapi.json', { token: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toStartWith('application/json');
      expect(res.body.openapi).toStartWith('3.1');
      expect(documentedPaths.filter((path) => !res.body.paths[path])).toEqual([]);
    });

    test('/problems/:code describes a problem type; an unknown code is a 404', async () => {
      const known = await s.api.call('GET', '/problems/validation', { token: null });
      expect(known.status).toBe(200);
      expect(known.body).toMatchObject({ type: '/problems/validation', code: 'validation', status: 400 });
      expect((await s.api.call('GET', '/problems/nonsense', { token: null })).status).toBe(404);
    });
  });
}

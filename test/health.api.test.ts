import { describe, expect, test } from 'bun:test';
import { createTestPlatform } from './harness.ts';
import type { Readiness } from '../src/http/health.ts';

describe('readiness', () => {
  test('reports each check and answers 503 naming the one that fails', async () => {
    const p = await createTestPlatform();
    const ready = await p.call('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', bus: 'ok' } });

    p.deps.bus.ping = async () => false;
    const busDown = await p.call<Readiness>('GET', '/readyz', { token: null });
    expect(busDown.status).toBe(503);
    expect(busDown.body.checks).toEqual({ database: 'ok', migrations: 'ok', bus: 'unreachable' });

    p.deps.database.close();
    const dbDown = await p.call<Readiness>('GET', '/readyz', { token: null });
    expect(dbDown.status).toBe(503);
    expect(dbDown.body.checks.database).toBe('unreachable');
    expect((await p.call('GET', '/healthz', { token: null })).status).toBe(200);
    await p.close();
  });
});

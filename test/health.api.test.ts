import { describe, expect, test } from 'bun:test';
import { createTestPlatform } from './harness.ts';
import type { Readiness } from '../src/http/health.ts';

describe('readiness', () => {
  test('reports each check and answers 503 naming the one that fails', async () => {
    const p = await createTestPlatform();
    const ready = await p.call('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', storage: 'ok', bus: 'ok' } });

    p.deps.bus.ping = async () => false;
    const busDown = await p.call<Readiness>('GET', '/readyz', { token: null });
    expect(busDown.status).toBe(503);
    expect(busDown.body.checks).toEqual({ database: 'ok', migrations: 'ok', storage: 'ok', bus: 'unreachable' });

    p.deps.database.close();
    const dbDown = await p.call<Readiness>('GET', '/readyz', { token: null });
    expect(dbDown.status).toBe(503);
    expect(dbDown.body.checks.database).toBe('unreachable');
    expect((await p.call('GET', '/healthz', { token: null })).status).toBe(200);
    await p.close();
  });
});

describe('the docs and the dashboard load nothing from a CDN', () => {
  test('/docs loads Scalar from the app\'s own /assets without web fonts, and every asset is served from its package', async () => {
    const p = await createTestPlatform();
    try {
      const docs = await p.app.request('/docs');
      const page = await docs.text();
      expect(page).toContain('src="/assets/scalar.js"');
      expect(page).not.toMatch(/https?:\/\/(cdn\.|fonts\.)/);
      for (const [name, type] of [['scalar.js', 'text/javascript'], ['htmx.min.js', 'text/javascript'], ['uPlot.iife.min.js', 'text/javascript'], ['uPlot.min.css', 'text/css']] as const) {
        const res = await p.app.request(`/assets/${name}`);
        expect({ name, status: res.status, type: res.headers.get('Content-Type')?.split(';')[0], large: (await res.arrayBuffer()).byteLength > 1_000 }).toEqual({ name, status: 200, type, large: true });
      }
      expect((await p.app.request('/assets/not-an-asset.js')).status).toBe(404);
      const login = await (await p.app.request('/admin/login')).text();
      expect(login).not.toMatch(/https?:\/\//);
    } finally {
      await p.close();
    }
  });
});

import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { domainMounts } from '../src/app.ts';
import type { AppEnv } from '../src/http/env.ts';
import { mount, type Mount } from '../src/http/mount.ts';

/** The routes one mount adds under /v1, as `METHOD /v1/path`, each once. */
function routesOf(m: Mount): { method: string; path: string }[] {
  const v1 = new Hono<AppEnv>();
  m.attach(v1);
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of v1.routes) if (r.method !== 'ALL') seen.set(`${r.method} ${r.path}`, { method: r.method, path: `/v1${r.path}` });
  return [...seen.values()];
}

/** Whether one request could match both paths: segment by segment, a parameter matches anything. */
function overlap(a: string, b: string): boolean {
  const [x, y] = [a.split('/'), b.split('/')];
  if (x.includes('*') || y.includes('*')) {
    const head = (s: string[]) => s.slice(0, s.indexOf('*') === -1 ? s.length : s.indexOf('*'));
    const [hx, hy] = [head(x), head(y)];
    return hx.slice(0, Math.min(hx.length, hy.length)).every((s, i) => s === hy[i] || s.startsWith(':') || hy[i]!.startsWith(':'));
  }
  return x.length === y.length && x.every((s, i) => s === y[i] || s.startsWith(':') || y[i]!.startsWith(':'));
}

/** Pairs of routes from different mounts that one request could reach. */
function clashes(mounts: readonly Mount[]): string[] {
  const routes = mounts.map(routesOf);
  return routes.flatMap((mine, i) =>
    routes.slice(i + 1).flatMap((theirs, k) =>
      mine.flatMap((r) =>
        theirs.filter((s) => s.method === r.method && overlap(r.path, s.path)).map((s) => `${r.method} ${r.path} (mount ${i}) ~ ${s.path} (mount ${i + 1 + k})`),
      ),
    ),
  );
}

describe("each domain's mounts", () => {
  test('no two mounts answer the same request, so their order in src/app.ts changes no match', () => {
    expect(domainMounts.length).toBeGreaterThan(30);
    expect(clashes(domainMounts)).toEqual([]);
  });

  test('a mount whose route another mount already answers is caught', () => {
    const byId = () => new Hono<AppEnv>().get('/:id', (c) => c.body(null));
    const search = () => new Hono<AppEnv>().get('/search', (c) => c.body(null));
    const users = () => new Hono<AppEnv>().get('/:id/users', (c) => c.body(null));
    expect(clashes([mount('/customers', byId), mount('/customers', users), mount('/customers', search)])).toEqual(['GET /v1/customers/:id (mount 0) ~ /v1/customers/search (mount 2)']);
  });

  test('only the session routes come before Idempotency-Key handling', () => {
    expect(domainMounts.filter((m) => m.beforeIdempotency).flatMap((m) => routesOf(m).map((r) => `${r.method} ${r.path}`))).toEqual([
      'POST /v1/auth/login',
      'POST /v1/auth/logout',
      'GET /v1/auth/me',
      'POST /v1/portal/login',
      'POST /v1/portal/logout',
      'GET /v1/portal/me',
    ]);
  });
});

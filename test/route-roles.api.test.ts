import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { decodeJwt } from 'jose';
import { createApp } from '../src/app.ts';
import { issueToken } from '../src/auth/tokens.ts';
import { ACCESS_LEVELS, declaredAccess, type Access } from '../src/http/access.ts';
import { createTestPlatform, type OpenApiDocument, type TestPlatform } from './harness.ts';
import { isAdminPath } from '../src/admin/session.ts';
import type { Problem } from '../src/http/problem.ts';
import { requiresUser } from '../src/http/require-user.ts';

let p: TestPlatform;
const operators = new Map<Role, string>();
beforeAll(async () => {
  p = await createTestPlatform();
  for (const role of ROLES) operators.set(role, decodeJwt(await p.tokenFor(role)).sub!);
});
afterAll(() => p.close());

const ROLES = ['viewer', 'operator', 'admin'] as const;
type Role = (typeof ROLES)[number];
type App = ReturnType<typeof createApp>;

interface Route {
  method: string;
  path: string;
  access: Access | undefined;
  /** A portal route open to `enforceAccess` that requires a portal user's token itself (no operator token passes). */
  user: boolean;
}

/** Every route of the app (a method and path some handler answers) with the access its handlers declare. */
function routesOf(app: App): Route[] {
  const handlers = new Map<string, unknown[]>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    handlers.set(key, [...(handlers.get(key) ?? []), r.handler]);
  }
  return [...handlers].map(([key, list]) => {
    const [method, path] = key.split(' ') as [string, string];
    return { method, path, access: declaredAccess(list), user: list.some(requiresUser) };
  });
}

/** A fresh token per request, so a route that ends its token (logout) cannot spoil the next call. */
async function tokenFor(role: Role) {
  return (await issueToken(p.deps.tokens, { id: operators.get(role)!, role, tokenVersion: 0 }, p.deps.clock.now())).token;
}

/** Whether `role` (null: no token) may call a route declared `access`. */
const admits = (access: Access, role: Role | null) => access === 'public' || (role !== null && ACCESS_LEVELS.indexOf(role) >= ACCESS_LEVELS.indexOf(access));

describe('every route declares its access once, and the server enforces exactly that', () => {
  test('every route of the app declares who may call it', () => {
    const routes = routesOf(p.app);
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.filter((r) => !r.access).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  test('a route added without a declaration is caught by the walk, and only an admin gets past it', async () => {
    const app = createApp(p.deps);
    app.get('/v1/forgotten', (c) => c.json({ ok: true }));
    expect(routesOf(app).filter((r) => !r.access).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/forgotten']);
    const call = async (role: Role) => (await app.request('/v1/forgotten', { headers: { Authorization: `Bearer ${await tokenFor(role)}` } })).status;
    expect((await app.request('/v1/forgotten')).status).toBe(401);
    expect([await call('viewer'), await call('operator'), await call('admin')]).toEqual([403, 403, 200]);
  });

  test('for every route and every role (none, viewer, operator, admin) the answer is allowed or refused (401/403) exactly as declared', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const route of routesOf(p.app)) {
      const path = route.path.replaceAll(/:[A-Za-z]+/g, 'x');
      for (const role of [null, ...ROLES]) {
        // A browser sends its Origin with every POST; the dashboard refuses those without one (hono/csrf).
        const headers: Record<string, string> = isAdminPath(route.path) ? { Origin: 'http://localhost' } : {};
        const res = await p.call(route.method, path, { token: role ? await tokenFor(role) : null, headers });
        const label = `${route.method} ${route.path} as ${role ?? 'no token'} (${route.access})`;
        if (isAdminPath(route.path)) {
          // Dashboard pages answer with pages: no session goes to the sign-in page, a short role gets a 403 page.
          const signIn = res.status === 303 && res.headers.get('Location')!.startsWith('/admin/login?next=');
          outcomes.push(`${label}: ${signIn ? 'sent to sign in' : res.status === 403 ? 'refused 403' : 'allowed'}`);
          expected.push(`${label}: ${admits(route.access!, role) ? 'allowed' : role ? 'refused 403' : 'sent to sign in'}`);
          continue;
        }
        const refused = res.status === 401 || res.status === 403;
        outcomes.push(`${label}: ${refused ? `refused ${res.status}` : 'allowed'}`);
        if (route.user) expected.push(`${label}: refused 401`);
        else expected.push(`${label}: ${admits(route.access!, role) ? 'allowed' : `refused ${role ? 403 : 401}`}`);
        if (refused) expect((res.body as Problem).code).toBe(res.status === 401 ? 'unauthorized' : 'forbidden');
      }
    }
    expect(outcomes).toEqual(expected);
  });

  test('the OpenAPI document shows each documented route\'s declared access', async () => {
    const doc = (await p.call<OpenApiDocument>('GET', '/openapi.json', { token: null })).body;
    const declared = new Map(routesOf(p.app).map((r) => [`${r.method} ${r.path.replaceAll(/:([A-Za-z]+)/g, '{$1}')}`, r.access]));
    let documented = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const access = declared.get(`${method.toUpperCase()} ${path}`);
        const shown = { route: `${method} ${path}`, access: operation['x-access'] ?? (operation.security.length === 0 ? 'public' : 'undeclared'), open: operation.security.length === 0 };
        expect(shown).toEqual({ route: `${method} ${path}`, access: access!, open: access === 'public' });
        documented++;
      }
    }
    expect(documented).toBeGreaterThan(50);
  });
});

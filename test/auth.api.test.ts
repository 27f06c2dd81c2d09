import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { decodeJwt, SignJWT } from 'jose';
import { count, eq, like } from 'drizzle-orm';
import { operators, rateCounters, revokedTokens } from '../db/schema/index.ts';
import { hashPassword } from '../src/kernel/password.ts';
import { createApp } from '../src/app.ts';
import { buildDeps } from '../src/build-deps.ts';
import { loadConfig } from '../src/config.ts';
import { manualClock, type ManualClock } from '../src/kernel/clock.ts';
import { createTestPlatform, customerInput, TEST_SECRET, type ApiResponse, type OpenApiDocument, type TestPlatform } from './harness.ts';
import { isAdminPath } from '../src/admin/session.ts';
import type { Problem } from '../src/http/problem.ts';
import type { ErrorCode } from '../src/kernel/errors.ts';
import type { LoginResponse, OperatorResource } from '../src/operators/contract.ts';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';

const PASSWORD = 'correct horse battery staple';
const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

function expectProblem(res: ApiResponse, status: number, code: ErrorCode): asserts res is ApiResponse<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect(res.body).toMatchObject({ status, code, type: `/problems/${code}` });
  expect(typeof (res.body as Problem).detail).toBe('string');
}

/** Creates an operator through the API (as admin) and returns it with its password. */
async function createOperator(role: 'admin' | 'operator' | 'viewer') {
  const email = `${role}-${tag()}@ops.example`;
  const res = await p.call<OperatorResource>('POST', '/v1/operators', { body: { email, name: `The ${role}`, role, password: PASSWORD } });
  expect(res.status).toBe(201);
  return { id: res.body.id, email };
}

const login = (email: string, password: string) => p.call<LoginResponse>('POST', '/v1/auth/login', { body: { email, password }, token: null });

/** Signs claims the way a forger might; the defaults make a token the API accepts. `omit` leaves registered claims out. */
async function craft(
  claims: { sub: string; role?: string; ver?: number },
  options: { secret?: string; issuer?: string; audience?: string; exp?: number; iat?: number; alg?: string; omit?: string[] } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const { issuer, audience } = p.deps.tokens;
  const omit = new Set(options.omit);
  const jwt = new SignJWT({ role: claims.role ?? 'admin', ...(omit.has('ver') ? {} : { ver: claims.ver ?? 0 }) }).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' });
  if (!omit.has('jti')) jwt.setJti(crypto.randomUUID());
  if (!omit.has('sub')) jwt.setSubject(claims.sub);
  if (!omit.has('iss')) jwt.setIssuer(options.issuer ?? issuer);
  if (!omit.has('aud')) jwt.setAudience(options.audience ?? audience);
  if (!omit.has('iat')) jwt.setIssuedAt(options.iat ?? now);
  if (!omit.has('exp')) jwt.setExpirationTime(options.exp ?? now + 600);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

describe('login', () => {
  test('the right password returns a bearer token that works', async () => {
    const op = await createOperator('operator');
    const res = await login(op.email.toUpperCase(), PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', operator: { id: op.id, email: op.email, role: 'operator' } });
    expect(Date.parse(res.body.expires_at)).toBeGreaterThan(Date.now());
    expect(JSON.stringify(res.body)).not.toContain('password');

    const claims = decodeJwt(res.body.token);
    expect(claims.sub).toBe(op.id);
    const used = await p.call('GET', '/v1/customers', { token: res.body.token });
    expect(used.status).toBe(200);
    const created = await p.call('POST', '/v1/customers', { token: res.body.token, body: customerInput() });
    expect(created.status).toBe(201);
  });

  test('a wrong password and an unknown email are both 401 with the same detail', async () => {
    const op = await createOperator('viewer');
    const wrong = await login(op.email, 'not the password at all');
    const unknown = await login(`nobody-${tag()}@ops.example`, PASSWORD);
    expectProblem(wrong, 401, 'unauthorized');
    expectProblem(unknown, 401, 'unauthorized');
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.body.title).toBe(unknown.body.title);
    expect(wrong.body.token).toBeUndefined();
  });

  test('login input is validated (400 naming the field)', async () => {
    const res = await login('not-an-email', '');
    expectProblem(res, 400, 'validation');
    expect(res.body.errors!.map((e) => e.field).sort()).toEqual(['email', 'password']);
  });
});

/** The portal's open routes (sign-up, its follow-up, login and the emailed-code flows): test/portal.api.test.ts covers them. */
const PORTAL_OPEN = ['/v1/portal/signup', '/v1/portal/signups/:id', '/v1/portal/login', '/v1/portal/password/forgot', '/v1/portal/password/reset', '/v1/portal/email/verify', '/v1/portal/invitations/accept'];

describe('bearer tokens', () => {
  test('every /v1 route answers 401 problem without a token', async () => {
    const routes = new Map<string, { method: string; path: string }>();
    for (const r of p.app.routes) {
      if (r.method === 'ALL' || !r.path.startsWith('/v1/') || r.path === '/v1/auth/login' || PORTAL_OPEN.includes(r.path)) continue;
      const path = r.path.replace(/:id\b/, 'cus_00000000000000000000000000').replace(/:userId\b/, 'usr_00000000000000000000000000');
      routes.set(`${r.method} ${path}`, { method: r.method, path });
    }
    // At least the customer, user, operator, audit and event routes.
    expect(routes.size).toBeGreaterThanOrEqual(17);
    for (const { method, path } of routes.values()) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const res = await p.call(method, path, { token: null, body });
      expect({ route: `${method} ${path}`, status: res.status }).toEqual({ route: `${method} ${path}`, status: 401 });
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toStartWith('Bearer');
    }
  });

  test('a malformed Authorization header is a 401', async () => {
    for (const header of ['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer not.a.jwt', 'Bearer a b']) {
      const res = await p.call('GET', '/v1/customers', { token: null, headers: { Authorization: header } });
      expectProblem(res, 401, 'unauthorized');
    }
  });

  describe('forged or stale tokens are 401', () => {
    let admin: { id: string };
    beforeAll(async () => {
      admin = await createOperator('admin');
    });

    test('control: a correctly signed token for the same operator is accepted', async () => {
      expect((await p.call('GET', '/v1/customers', { token: await craft({ sub: admin.id }) })).status).toBe(200);
    });

    test('alg: none (unsecured JWT)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const payload = { sub: admin.id, role: 'admin', ver: 0, jti: 'tok_forged', iss: p.deps.tokens.issuer, aud: p.deps.tokens.audience, iat: now, exp: now + 600 };
      for (const token of [`${b64url({ alg: 'none' })}.${b64url(payload)}.`, `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`]) {
        expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
      }
    });

    test('signed with another secret', async () => {
      const token = await craft({ sub: admin.id }, { secret: 'another-secret-that-is-also-long-enough-42' });
      expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
    });

    test('signed with the right secret but another algorithm', async () => {
      const token = await craft({ sub: admin.id }, { alg: 'HS512' });
      expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
    });

    test('a tampered payload', async () => {
      const [header, , signature] = (await craft({ sub: admin.id, role: 'viewer' })).split('.');
      const now = Math.floor(Date.now() / 1000);
      const payload = b64url({ sub: admin.id, role: 'admin', ver: 0, jti: 'tok_forged', iss: p.deps.tokens.issuer, aud: p.deps.tokens.audience, iat: now, exp: now + 600 });
      expectProblem(await p.call('GET', '/v1/customers', { token: `${header}.${payload}.${signature}` }), 401, 'unauthorized');
    });

    test('expired', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await craft({ sub: admin.id }, { iat: now - 7200, exp: now - 3600 });
      const res = await p.call('GET', '/v1/customers', { token });
      expectProblem(res, 401, 'unauthorized');
      expect(res.body.detail).toContain('expired');
    });

    test('wrong issuer', async () => {
      const token = await craft({ sub: admin.id }, { issuer: 'someone-else' });
      expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
    });

    test('wrong audience', async () => {
      const token = await craft({ sub: admin.id }, { audience: 'another-api' });
      expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
    });

    test('an operator that does not exist', async () => {
      const token = await craft({ sub: 'op_00000000000000000000000000' });
      expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
    });

    test('a valid token spelled otherwise (base64 padding, the standard alphabet) is 401, in the header and in the dashboard cookie', async () => {
      const token = await craft({ sub: admin.id });
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const respelled = [`${token}=`, `${token}==`, `${header}=.${payload}.${signature}`, `${header}.${payload}=.${signature}`, `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`];
      for (const spelled of respelled.filter((t) => t !== token)) {
        const res = await p.call<Problem>('GET', '/v1/customers', { token: spelled });
        expectProblem(res, 401, 'unauthorized');
        expect(res.body.detail).toContain('base64url');
        const page = await p.app.request('/admin', { headers: { Cookie: `admin_session=${spelled}` } });
        expect(page.status).toBe(303);
        expect(page.headers.get('Location')).toStartWith('/admin/login');
      }
      expect((await p.app.request('/admin', { headers: { Cookie: `admin_session=${token}` } })).status).toBe(200);
    });

    test('an unknown role claim', async () => {
      const token = await craft({ sub: admin.id, role: 'root' });
      expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
    });
  });
});

describe('roles', () => {
  test('a viewer reads (200) but cannot write (403)', async () => {
    const viewer = await p.tokenFor('viewer');
    const c = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() })).body;

    for (const path of ['/v1/customers', `/v1/customers/${c.id}`, `/v1/customers/${c.id}/users`, '/v1/events', '/v1/consumers']) {
      expect({ path, status: (await p.call('GET', path, { token: viewer })).status }).toEqual({ path, status: 200 });
    }
    expectProblem(await p.call('POST', '/v1/customers', { token: viewer, body: customerInput() }), 403, 'forbidden');
    expectProblem(await p.call('POST', `/v1/customers/${c.id}/activate`, { token: viewer }), 403, 'forbidden');
    expectProblem(await p.call('PATCH', `/v1/customers/${c.id}`, { token: viewer, body: { name: 'Viewer was here' } }), 403, 'forbidden');
    expectProblem(await p.call('POST', `/v1/customers/${c.id}/users`, { token: viewer, body: { email: `v-${tag()}@x.example`, role: 'member' } }), 403, 'forbidden');
    expect((await p.call('GET', `/v1/customers/${c.id}`)).body).toMatchObject({ status: 'onboarded', name: c.name, version: 1 });
  });

  test('an operator writes customers but gets 403 on /v1/operators and /v1/audit; an admin gets 200', async () => {
    const operator = await p.tokenFor('operator');
    const admin = await p.tokenFor('admin');
    expect((await p.call('POST', '/v1/customers', { token: operator, body: customerInput() })).status).toBe(201);

    expectProblem(await p.call('GET', '/v1/operators', { token: operator }), 403, 'forbidden');
    expectProblem(await p.call('POST', '/v1/operators', { token: operator, body: { email: `x-${tag()}@ops.example`, name: 'X', role: 'admin', password: PASSWORD } }), 403, 'forbidden');
    expectProblem(await p.call('GET', '/v1/audit', { token: operator }), 403, 'forbidden');

    expect((await p.call('GET', '/v1/operators', { token: admin })).status).toBe(200);
    expect((await p.call('GET', '/v1/audit', { token: admin })).status).toBe(200);
  });

  test('the role stored now counts, not the role written in the token', async () => {
    const viewer = await createOperator('viewer');
    const inflated = await craft({ sub: viewer.id, role: 'admin' });
    expectProblem(await p.call('GET', '/v1/operators', { token: inflated }), 403, 'forbidden');
    expectProblem(await p.call('POST', '/v1/customers', { token: inflated, body: customerInput() }), 403, 'forbidden');

    const operator = await createOperator('operator');
    expect((await p.call('PATCH', `/v1/operators/${operator.id}`, { body: { role: 'viewer' } })).status).toBe(200);
    const viewerToken = (await login(operator.email, PASSWORD)).body.token;
    expectProblem(await p.call('POST', '/v1/customers', { token: viewerToken, body: customerInput() }), 403, 'forbidden');
  });

  test("a disabled operator's token is a 401 at once, the operator cannot log in, and re-enabling does not revive the token", async () => {
    const op = await createOperator('operator');
    const token = (await login(op.email, PASSWORD)).body.token;
    expect((await p.call('GET', '/v1/customers', { token })).status).toBe(200);

    const disabled = await p.call<OperatorResource>('PATCH', `/v1/operators/${op.id}`, { body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabled).toBe(true);

    expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
    expectProblem(await login(op.email, PASSWORD), 401, 'unauthorized');

    expect((await p.call('PATCH', `/v1/operators/${op.id}`, { body: { disabled: false } })).status).toBe(200);
    expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
    const fresh = (await login(op.email, PASSWORD)).body.token;
    expect((await p.call('GET', '/v1/customers', { token: fresh })).status).toBe(200);
  });
});

describe('the last admin', () => {
  // Its own platform: this test must control every admin that exists.
  let q: TestPlatform;
  beforeAll(async () => {
    q = await createTestPlatform();
  });
  afterAll(() => q.close());

  test('cannot be demoted or disabled (409) until another active admin exists', async () => {
    const firstToken = await q.tokenFor('admin');
    const firstId = decodeJwt(firstToken).sub!;
    const as = (token: string) => ({
      patch: (id: string, body: unknown) => q.call<OperatorResource>('PATCH', `/v1/operators/${id}`, { token, body }),
    });

    const admins = (await q.call<Page<OperatorResource>>('GET', '/v1/operators', { token: firstToken })).body.data.filter((o) => o.role === 'admin' && !o.disabled);
    expect(admins.map((o) => o.id)).toEqual([firstId]);

    expectProblem(await as(firstToken).patch(firstId, { role: 'operator' }), 409, 'conflict');
    expectProblem(await as(firstToken).patch(firstId, { disabled: true }), 409, 'conflict');
    expect((await q.call('GET', `/v1/operators/${firstId}`, { token: firstToken })).body).toMatchObject({ role: 'admin', disabled: false });

    // A disabled admin does not count as a remaining admin.
    const dormant = await q.call<OperatorResource>('POST', '/v1/operators', { token: firstToken, body: { email: `dormant-${tag()}@ops.example`, name: 'Dormant', role: 'admin', password: PASSWORD } });
    expect((await as(firstToken).patch(dormant.body.id, { disabled: true })).status).toBe(200);
    expectProblem(await as(firstToken).patch(firstId, { role: 'viewer' }), 409, 'conflict');

    const second = await q.call<OperatorResource>('POST', '/v1/operators', { token: firstToken, body: { email: `second-${tag()}@ops.example`, name: 'Second', role: 'admin', password: PASSWORD } });
    expect(second.status).toBe(201);
    const demoted = await as(firstToken).patch(firstId, { role: 'operator' });
    expect(demoted.status).toBe(200);
    expect(demoted.body.role).toBe('operator');
    // The role change ended the token it was made with; a new one carries the new role.
    expectProblem(await q.call('GET', '/v1/operators', { token: firstToken }), 401, 'unauthorized');

    const secondToken = (await q.call<LoginResponse>('POST', '/v1/auth/login', { token: null, body: { email: second.body.email, password: PASSWORD } })).body.token;
    expectProblem(await as(secondToken).patch(second.body.id, { disabled: true }), 409, 'conflict');
    expectProblem(await as(secondToken).patch(second.body.id, { role: 'viewer' }), 409, 'conflict');
    expect((await q.call('GET', '/v1/operators', { token: secondToken })).status).toBe(200);
  });
});

describe('open routes', () => {
  test('/healthz is 200 without a token', async () => {
    const res = await p.call('GET', '/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  test('/readyz is 200 with its checks', async () => {
    const res = await p.call('GET', '/readyz', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', bus: 'ok', storage: 'ok' } });
  });

  test('/docs is an HTML page pointing at the OpenAPI document', async () => {
    const res = await p.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/html');
    const html = await res.text();
    expect(html.toLowerCase()).toContain('<html');
    expect(html).toContain('/openapi.json');
  });

  describe('/openapi.json', () => {
    let spec: OpenApiDocument;
    beforeAll(async () => {
      const res = await p.call<OpenApiDocument>('GET', '/openapi.json', { token: null });
      expect(res.status).toBe(200);
      spec = res.body;
    });

    test('is OpenAPI 3.1 with a bearer security scheme', () => {
      expect(spec.openapi).toStartWith('3.1');
      expect(spec.info.title).toBeTruthy();
      expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    });

    test('lists every route the app registers', () => {
      for (const path of ['/v1/customers', '/v1/customers/{id}', '/v1/customers/{id}/activate', '/v1/customers/{id}/users', '/v1/operators', '/v1/audit', '/v1/events', '/v1/consumers', '/v1/auth/login']) {
        expect(Object.keys(spec.paths)).toContain(path);
      }
      const undocumented = ['/openapi.json', '/docs', '/metrics', '/problems/:code'];
      const missing: string[] = [];
      for (const r of p.app.routes) {
        // The dashboard's pages and the served assets are no API: /openapi.json excludes them on purpose.
        if (r.method === 'ALL' || undocumented.includes(r.path) || r.path === '/admin' || r.path.startsWith('/admin/') || r.path.startsWith('/assets/')) continue;
        const path = r.path.replace(/:(\w+)/g, '{$1}');
        if (!spec.paths[path]?.[r.method.toLowerCase()]) missing.push(`${r.method} ${r.path}`);
      }
      expect([...new Set(missing)]).toEqual([]);
    });

    test('every /v1 operation but login and the portal\'s needs bearerAuth; every one documents a problem+json 400', () => {
      for (const [path, item] of Object.entries(spec.paths)) {
        if (!path.startsWith('/v1/')) continue;
        for (const [method, op] of Object.entries(item)) {
          const where = `${method.toUpperCase()} ${path}`;
          // Portal routes are open to the operators' bearerAuth; those needing a user check the portal token themselves.
          if (path === '/v1/auth/login' || path.startsWith('/v1/portal/')) expect({ where, security: op.security ?? [] }).toEqual({ where, security: [] });
          else expect({ where, security: op.security }).toEqual({ where, security: [{ bearerAuth: [] }] });
          expect({ where, has400: Boolean(op.responses?.['400']?.content?.['application/problem+json']) }).toEqual({ where, has400: true });
        }
      }
    });

    test('request bodies come from the validating schemas', () => {
      const body = spec.paths['/v1/customers']!.post!.requestBody!.content['application/json']!.schema;
      expect(body.required.sort()).toEqual(['country', 'email', 'kind', 'name']);
      expect(body.properties.kind!.enum).toEqual(['sme', 'institution', 'individual']);
    });
  });
});

describe('tokens end when they should', () => {
  test('a password change ends every existing token of that operator at once', async () => {
    const op = await createOperator('operator');
    const first = (await login(op.email, PASSWORD)).body.token;
    const second = (await login(op.email, PASSWORD)).body.token;
    expect((await p.call('GET', '/v1/customers', { token: first })).status).toBe(200);

    const changed = await p.call('PATCH', `/v1/operators/${op.id}`, { body: { password: 'a brand new secret phrase' } });
    expect(changed.status).toBe(200);
    for (const token of [first, second]) {
      const res = await p.call('GET', '/v1/customers', { token });
      expectProblem(res, 401, 'unauthorized');
      expect(res.body.detail).toContain('log in again');
    }
    expectProblem(await login(op.email, PASSWORD), 401, 'unauthorized');
    const fresh = (await login(op.email, 'a brand new secret phrase')).body.token;
    expect((await p.call('GET', '/v1/customers', { token: fresh })).status).toBe(200);
  });

  test('a role change ends existing tokens; a change of name does not', async () => {
    const op = await createOperator('operator');
    const token = (await login(op.email, PASSWORD)).body.token;
    expect((await p.call('PATCH', `/v1/operators/${op.id}`, { body: { name: 'Renamed' } })).status).toBe(200);
    expect((await p.call('GET', '/v1/customers', { token })).status).toBe(200);
    expect((await p.call('PATCH', `/v1/operators/${op.id}`, { body: { role: 'admin' } })).status).toBe(200);
    expectProblem(await p.call('GET', '/v1/customers', { token }), 401, 'unauthorized');
  });

  test('POST /v1/auth/logout ends the presented token only; other sessions go on', async () => {
    const op = await createOperator('viewer');
    const phone = (await login(op.email, PASSWORD)).body.token;
    const laptop = (await login(op.email, PASSWORD)).body.token;

    const out = await p.call('POST', '/v1/auth/logout', { token: phone });
    expect(out.status).toBe(204);
    const refused = await p.call('GET', '/v1/customers', { token: phone });
    expectProblem(refused, 401, 'unauthorized');
    expect(refused.body.detail).toContain('logged out');
    expectProblem(await p.call('POST', '/v1/auth/logout', { token: phone }), 401, 'unauthorized');
    expect((await p.call('GET', '/v1/customers', { token: laptop })).status).toBe(200);
    expectProblem(await p.call('POST', '/v1/auth/logout', { token: null }), 401, 'unauthorized');
  });

  test('GET /v1/auth/me returns the operator resource and the token expiry', async () => {
    const op = await createOperator('viewer');
    const issued = (await login(op.email, PASSWORD)).body;
    const me = await p.call('GET', '/v1/auth/me', { token: issued.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      operator: { id: op.id, object: 'operator', email: op.email, name: 'The viewer', role: 'viewer', disabled: false, created_at: expect.any(String), updated_at: expect.any(String) },
      expires_at: issued.expires_at,
    });
    expect(JSON.stringify(me.body)).not.toContain('password');
    expectProblem(await p.call('GET', '/v1/auth/me', { token: null }), 401, 'unauthorized');
  });

  test('a token without exp, iat, iss, aud or sub is a 401 naming the missing claim', async () => {
    const admin = await createOperator('admin');
    for (const claim of ['exp', 'iat', 'iss', 'aud', 'sub', 'jti', 'ver']) {
      const res = await p.call('GET', '/v1/customers', { token: await craft({ sub: admin.id }, { omit: [claim] }) });
      expect({ claim, status: res.status }).toEqual({ claim, status: 401 });
      expectProblem(res, 401, 'unauthorized');
      expect({ claim, detail: res.body.detail }).toEqual({ claim, detail: `token claim ${claim} is missing` });
    }
  });
});

describe('operator passwords', () => {
  const create = (email: string, password: string) => p.call('POST', '/v1/operators', { body: { email, name: 'Pat', role: 'operator', password } });
  const expectPasswordRefused = (res: ApiResponse, why: string) => {
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ field: 'password', message: expect.stringContaining(why) }]);
  };

  test('the email itself (any case) or its local part as a password is a 400 naming password', async () => {
    const email = `pat.${tag()}@ops.example`;
    expectPasswordRefused(await create(email, email.toUpperCase()), 'email address');
    expectPasswordRefused(await create(email, `${email.split('@')[0]!.toUpperCase()}!2026`), 'before @');
    expect((await create(email, PASSWORD)).status).toBe(201);
  });

  test('a common password (case-insensitive) is refused on create and on update', async () => {
    expectPasswordRefused(await create(`pat-${tag()}@ops.example`, 'Password1234'), 'most common');
    const op = await createOperator('operator');
    expectPasswordRefused(await p.call('PATCH', `/v1/operators/${op.id}`, { body: { password: 'QWERTY123456' } }), 'most common');
    expectPasswordRefused(await p.call('PATCH', `/v1/operators/${op.id}`, { body: { password: `${op.email} is mine` } }), 'email address');
    expect((await login(op.email, PASSWORD)).status).toBe(200);
  });
});

describe('login has a limit', () => {
  // Its own platform and clock: these tests count failures and move time.
  const LIMITS = { LOGIN_MAX_FAILURES_PER_EMAIL: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '6', LOGIN_FAILURE_WINDOW_SECONDS: '60' };
  let q: TestPlatform;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = manualClock(Date.UTC(2026, 2, 1));
    q = await createTestPlatform({ env: LIMITS, build: { clock } });
  });
  afterAll(() => q.close());

  /** Logs in through the app as the entry point would, with the peer address the runtime saw (or none). */
  async function loginFrom<T = LoginResponse>(app: TestPlatform['app'], address: string | undefined, email: string, password: string, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ email, password }) };
    const res = await app.request('/v1/auth/login', init, address ? { peerAddress: address } : undefined);
    return { status: res.status, headers: res.headers, body: (await res.json()) as T };
  }
  const newOperator = async () => {
    const email = `limited-${tag()}@ops.example`;
    expect((await q.call('POST', '/v1/operators', { body: { email, name: 'Limited', role: 'operator', password: PASSWORD } })).status).toBe(201);
    return email;
  };
  const expectLimited = (res: ApiResponse, maxSeconds: number) => {
    expectProblem(res, 429, 'rate_limited');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
    expect(res.body.retry_after).toBe(retryAfter);
  };

  test('wrong passwords for one email past the limit get 429 with Retry-After, even from other addresses, until the window ends', async () => {
    const email = await newOperator();
    for (let i = 0; i < 3; i++) expectProblem(await loginFrom(q.app, `198.51.100.${i + 1}`, email, 'wrong password!'), 401, 'unauthorized');
    clock.advance(20_000);
    expectLimited(await loginFrom(q.app, '198.51.100.9', email, 'wrong password!'), 40);
    // The right password is refused too while the email is locked: otherwise guessing would go on.
    expectLimited(await loginFrom(q.app, '198.51.100.9', email, PASSWORD), 40);
    // Other operators are not held up.
    const other = await newOperator();
    expect((await loginFrom(q.app, '198.51.100.9', other, PASSWORD)).status).toBe(200);

    clock.advance(40_000);
    expect((await loginFrom(q.app, '198.51.100.9', email, PASSWORD)).status).toBe(200);
  });

  test('a successful login resets that email\'s failures, and counting starts again from zero', async () => {
    const email = await newOperator();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expectProblem(await loginFrom(q.app, undefined, email, 'wrong password!'), 401, 'unauthorized');
      expect((await loginFrom(q.app, undefined, email, PASSWORD)).status).toBe(200);
    }
    for (let i = 0; i < 3; i++) expectProblem(await loginFrom(q.app, undefined, email, 'wrong password!'), 401, 'unauthorized');
    expectLimited(await loginFrom(q.app, undefined, email, PASSWORD), 60);
  });

  test('wrong passwords from one client address across many emails get 429; other addresses are not affected', async () => {
    clock.advance(120_000);
    const address = '203.0.113.7';
    for (let i = 0; i < 6; i++) expectProblem(await loginFrom(q.app, address, `nobody-${tag()}@ops.example`, 'wrong password!'), 401, 'unauthorized');
    const email = await newOperator();
    expectLimited(await loginFrom(q.app, address, email, PASSWORD), 60);
    // Without a configured proxy header, a forged X-Forwarded-For changes nothing.
    expectLimited(await loginFrom(q.app, address, email, PASSWORD, { 'X-Forwarded-For': '192.0.2.44' }), 60);
    expect((await loginFrom(q.app, '203.0.113.8', email, PASSWORD)).status).toBe(200);
    clock.advance(60_000);
    expect((await loginFrom(q.app, address, email, PASSWORD)).status).toBe(200);
  });

  test('behind a trusted proxy the configured header names the client (its last X-Forwarded-For entry)', async () => {
    const proxied = await createTestPlatform({ env: { ...LIMITS, CLIENT_ADDRESS_HEADER: 'X-Forwarded-For' }, build: { clock } });
    try {
      const proxy = '10.0.0.1';
      for (let i = 0; i < 6; i++) {
        const res = await loginFrom(proxied.app, proxy, `nobody-${tag()}@ops.example`, 'wrong password!', { 'X-Forwarded-For': `192.0.2.${i}, 203.0.113.50` });
        expectProblem(res, 401, 'unauthorized');
      }
      const spoofed = await loginFrom(proxied.app, proxy, `nobody-${tag()}@ops.example`, 'wrong password!', { 'X-Forwarded-For': '192.0.2.99, 203.0.113.50' });
      expectLimited(spoofed, 60);
      const neighbour = await loginFrom(proxied.app, proxy, `nobody-${tag()}@ops.example`, 'wrong password!', { 'X-Forwarded-For': '203.0.113.51' });
      expectProblem(neighbour, 401, 'unauthorized');
    } finally {
      await proxied.close();
    }
  });

  test('the counters are shared by every process on the database', async () => {
    const second = await buildDeps(loadConfig({ DATABASE_URL: q.deps.config.databaseUrl, DATA_DIR: q.dir, LOG_SILENT: '1', ...LIMITS }), { jwtSecret: TEST_SECRET, clock });
    try {
      const otherApp = createApp(second);
      const email = await newOperator();
      expectProblem(await loginFrom(q.app, undefined, email, 'wrong password!'), 401, 'unauthorized');
      expectProblem(await loginFrom(otherApp, undefined, email, 'wrong password!'), 401, 'unauthorized');
      expectProblem(await loginFrom(q.app, undefined, email, 'wrong password!'), 401, 'unauthorized');
      expectLimited(await loginFrom(otherApp, undefined, email, PASSWORD), 60);
    } finally {
      second.database.close();
    }
  });

  test('expired counters and logged-out tokens are purged', async () => {
    clock.advance(24 * 3600_000);
    const email = await newOperator();
    const { token } = (await loginFrom(q.app, undefined, email, PASSWORD)).body;
    expect((await q.call('POST', '/v1/auth/logout', { token })).status).toBe(204);
    expect((await q.deps.db.select({ n: count() }).from(revokedTokens))[0]!.n).toBe(1);

    // One hour later (JWT_TTL_SECONDS) the token would be refused anyway: the next logout forgets it.
    clock.advance(3600_000);
    const next = (await loginFrom(q.app, undefined, email, PASSWORD)).body.token;
    expect((await q.call('POST', '/v1/auth/logout', { token: next })).status).toBe(204);
    expect((await q.deps.db.select({ n: count() }).from(revokedTokens))[0]!.n).toBe(1);
    expect((await q.deps.db.select({ n: count() }).from(rateCounters).where(like(rateCounters.key, 'login-failures:%')))[0]!.n).toBe(0);
  });
});

describe('operator passwords are hashed outside the write queue', () => {
  test('a write that arrives while an operator is being created does not wait for the password hash', async () => {
    const q = await createTestPlatform();
    try {
      await q.call('GET', '/v1/operators'); // the default admin exists before the race starts
      const finished: string[] = [];
      const operator = q
        .call('POST', '/v1/operators', { body: { email: `hash-${crypto.randomUUID().slice(0, 8)}@ops.example`, name: 'Slow hash', role: 'viewer', password: 'a-long-enough-password' } })
        .then((res) => void finished.push(`operator ${res.status}`));
      // The hash takes tens of milliseconds by design; the customer's write needs a couple.
      const customer = q.call('POST', '/v1/customers', { body: customerInput() }).then((res) => void finished.push(`customer ${res.status}`));
      await Promise.all([operator, customer]);
      expect(finished).toEqual(['customer 201', 'operator 201']);
    } finally {
      await q.close();
    }
  });
});

describe('the PBKDF2 iteration count is a setting', () => {
  test('an operator created under PASSWORD_ITERATIONS=100000 stores that count and logs in; a hash made with another count still verifies', async () => {
    const q = await createTestPlatform({ env: { PASSWORD_ITERATIONS: '100000' } });
    try {
      const email = `iter-${crypto.randomUUID().slice(0, 8)}@ops.example`;
      const created = await q.call<{ id: string }>('POST', '/v1/operators', { body: { email, name: 'Iter', role: 'viewer', password: PASSWORD } });
      expect(created.status).toBe(201);
      const [row] = await q.deps.db.select({ hash: operators.passwordHash }).from(operators).where(eq(operators.email, email));
      expect(row!.hash.split('$')[1]).toBe('100000');
      expect((await q.call('POST', '/v1/auth/login', { body: { email, password: PASSWORD }, token: null })).status).toBe(200);
      await q.deps.db.update(operators).set({ passwordHash: await hashPassword(PASSWORD, 150_000) }).where(eq(operators.email, email));
      expect((await q.call('POST', '/v1/auth/login', { body: { email, password: PASSWORD }, token: null })).status).toBe(200);
    } finally {
      await q.close();
    }
  });
});

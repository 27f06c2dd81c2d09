import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createApp } from '../src/app.ts';
import { buildDeps } from '../src/build-deps.ts';
import { loadConfig } from '../src/config.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock, type ManualClock } from '../src/kernel/clock.ts';
import { expectProblem } from './contract/client.ts';
import { createTestPlatform, TEST_SECRET, type ApiResponse, type TestPlatform } from './harness.ts';

// Small limits, counted on a clock the tests move.
const LIMITS = { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_LOGIN_PER_MINUTE: '2', RATE_LIMIT_SIGNUP_PER_MINUTE: '2', RATE_LIMIT_PASSWORD_RESET_PER_MINUTE: '2', RATE_LIMIT_EMAILED_CODE_PER_MINUTE: '2' };
const PASSWORD = 'a-long-enough-password';

let p: TestPlatform;
let clock: ManualClock;
beforeAll(async () => {
  clock = manualClock(Date.UTC(2026, 4, 1));
  p = await createTestPlatform({ env: LIMITS, build: { clock } });
});
afterAll(() => p.close());

/** The `RateLimit` header's fields: `"default";r=<remaining>;t=<seconds>`. */
function rateLimitOf(res: { headers: Headers }) {
  const match = /^"default";r=(\d+);t=(\d+)$/.exec(res.headers.get('ratelimit') ?? '');
  expect(match).not.toBeNull();
  return { remaining: Number(match![1]), seconds: Number(match![2]) };
}

function expectRateLimited(res: ApiResponse, maxSeconds: number) {
  expectProblem(res, 429, 'rate_limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  expect((res.body as Problem).retry_after).toBe(retryAfter);
  expect(rateLimitOf(res)).toEqual({ remaining: 0, seconds: retryAfter });
}

describe('rate limit per principal on /v1', () => {
  test('past the limit a 429 rate_limited problem with Retry-After and RateLimit headers; allowed answers count down', async () => {
    const token = await p.tokenFor('viewer');
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await p.call('GET', '/v1/auth/me', { token });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
      remaining.push(rateLimitOf(res).remaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    clock.advance(15_000);
    const refused = await p.call('GET', '/v1/customers', { token });
    expectRateLimited(refused, 45);
    expect(refused.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
    // Errors count too: a 404 is a request like any other.
    expectRateLimited(await p.call('GET', '/v1/customers/cus_missing', { token }), 45);
  });

  test('another principal is not affected', async () => {
    const busy = await p.tokenFor('operator');
    for (let i = 0; i < 3; i++) expect((await p.call('GET', '/v1/plans', { token: busy })).status).toBe(200);
    expectRateLimited(await p.call('GET', '/v1/plans', { token: busy }), 60);
    const other = await p.tokenFor('operator');
    const res = await p.call('GET', '/v1/plans', { token: other });
    expect(res.status).toBe(200);
    expect(rateLimitOf(res).remaining).toBe(2);
  });

  test('a refused POST does nothing: no customer, and its Idempotency-Key stays free', async () => {
    const token = await p.tokenFor('operator');
    for (let i = 0; i < 3; i++) expect((await p.call('GET', '/v1/customers', { token })).status).toBe(200);
    const body = { name: 'Limited GmbH', email: `limited-${Date.now()}@acme.example`, kind: 'sme', country: 'DE' };
    const headers = { 'Idempotency-Key': `limited-${Date.now()}` };
    expectRateLimited(await p.call('POST', '/v1/customers', { token, body, headers }), 60);
    clock.advance(60_000);
    const created = await p.call<{ id: string; email: string }>('POST', '/v1/customers', { token, body, headers });
    expect(created.status).toBe(201);
    expect(created.headers.get('idempotency-replayed')).toBeNull();
  });

  test('the window starts again when the clock passes its end', async () => {
    const token = await p.tokenFor('viewer');
    for (let i = 0; i < 3; i++) expect((await p.call('GET', '/v1/auth/me', { token })).status).toBe(200);
    clock.advance(59_000);
    expectRateLimited(await p.call('GET', '/v1/auth/me', { token }), 1);
    clock.advance(1_000);
    const res = await p.call('GET', '/v1/auth/me', { token });
    expect(res.status).toBe(200);
    expect(rateLimitOf(res)).toEqual({ remaining: 2, seconds: 60 });
  });

  test('open routes carry no principal and are not counted', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await p.call('GET', '/healthz', { token: null });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
    }
  });

  test('two API processes on one database file share the count', async () => {
    const second = await buildDeps(loadConfig({ DATABASE_URL: p.deps.config.databaseUrl, DATA_DIR: p.dir, LOG_SILENT: '1', ...LIMITS }), { jwtSecret: TEST_SECRET, clock });
    try {
      const otherApp = createApp(second);
      const token = await p.tokenFor('viewer');
      const onOther = async () => {
        const res = await otherApp.request('/v1/auth/me', { headers: { Authorization: `Bearer ${token}` } });
        return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
      };
      expect((await p.call('GET', '/v1/auth/me', { token })).status).toBe(200);
      const second1 = await onOther();
      expect(second1.status).toBe(200);
      expect(rateLimitOf(second1).remaining).toBe(1);
      expect((await p.call('GET', '/v1/auth/me', { token })).status).toBe(200);
      expectRateLimited(await onOther(), 60);
      expectRateLimited(await p.call('GET', '/v1/auth/me', { token }), 60);
    } finally {
      second.database.close();
    }
  });

  test('the OpenAPI document lists 429 for routes that need a token', async () => {
    const doc = (await p.call<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>('GET', '/openapi.json', { token: null })).body;
    expect(Object.keys(doc.paths['/v1/customers/{id}']!.get!.responses)).toContain('429');
    expect(Object.keys(doc.paths['/v1/auth/login']!.post!.responses)).toContain('429');
  });
});

describe('login is limited per client address', () => {
  async function loginFrom(address: string | undefined, email: string) {
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) };
    const res = await p.app.request('/v1/auth/login', init, address ? { peerAddress: address } : undefined);
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown } satisfies ApiResponse;
  }
  const newOperator = async () => {
    const email = `login-${crypto.randomUUID()}@ops.example`;
    expect((await p.call('POST', '/v1/operators', { body: { email, name: 'Limited', role: 'viewer', password: PASSWORD } })).status).toBe(201);
    return email;
  };

  test('past RATE_LIMIT_LOGIN_PER_MINUTE even the right password gets 429 from that address; other addresses log in', async () => {
    clock.advance(60_000);
    const email = await newOperator();
    for (let i = 0; i < 2; i++) {
      const ok = await loginFrom('198.51.100.20', email);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    }
    expectRateLimited(await loginFrom('198.51.100.20', email), 60);
    expect((await loginFrom('198.51.100.21', email)).status).toBe(200);
    clock.advance(60_000);
    expect((await loginFrom('198.51.100.20', email)).status).toBe(200);
  });

  test('a request whose address is unknown (no peer, no trusted header) is not counted per address', async () => {
    clock.advance(60_000);
    const email = await newOperator();
    for (let i = 0; i < 4; i++) expect((await loginFrom(undefined, email)).status).toBe(200);
  });
});

/** Sends `body` as JSON from `address` (the peer the runtime saw), without a token. */
async function sendFrom(address: string, method: string, path: string, body?: unknown) {
  const init = { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  const res = await p.app.request(path, init, { peerAddress: address });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown } satisfies ApiResponse;
}

describe('the open routes that take an emailed code are limited per client address', () => {
  test('past RATE_LIMIT_EMAILED_CODE_PER_MINUTE, guessing codes for email verification or an invitation gets 429 from that address; other addresses go on', async () => {
    clock.advance(60_000);
    for (const [path, body] of [
      ['/v1/portal/email/verify', { token: 'guessed-code-0001' }],
      ['/v1/portal/invitations/accept', { token: 'guessed-code-0001', password: PASSWORD }],
    ] as const) {
      const address = `203.0.113.${path.length}`;
      for (let i = 0; i < 2; i++) {
        const wrong = await sendFrom(address, 'POST', path, body);
        expect({ path, status: wrong.status }).toEqual({ path, status: 400 });
        expect(wrong.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
      }
      expectRateLimited(await sendFrom(address, 'POST', path, body), 60);
      expect((await sendFrom('203.0.113.200', 'POST', path, body)).status).toBe(400);
    }
  });
});

describe('every route that can answer 429 documents it', () => {
  type Operations = Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown>; parameters?: { in: string; name: string; schema: { pattern?: string } }[] }>>;

  test('each open operation, called past every per-address limit from one address, answers 429 exactly when its document lists 429; every operation that needs a token lists it', async () => {
    clock.advance(60_000);
    const { paths } = (await p.call<{ paths: Operations }>('GET', '/openapi.json', { token: null })).body;
    const limited: string[] = [];
    let n = 0;
    for (const [template, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${template}`;
        const documented = Object.hasOwn(op.responses, '429');
        if ((op.security ?? []).length > 0) {
          expect({ name, documented }).toEqual({ name, documented: true });
          continue;
        }
        // A well-formed id in each path parameter (`sig_000…`), so a request reaches the route.
        const path = template.replace(/\{(\w+)\}/g, (_, param: string) => {
          const prefix = /^\^(\w+_)/.exec(op.parameters?.find((x) => x.in === 'path' && x.name === param)?.schema.pattern ?? '')?.[1] ?? '';
          return `${prefix}${'0'.repeat(26)}`;
        });
        const address = `198.18.0.${++n}`;
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) statuses.push((await sendFrom(address, method.toUpperCase(), path, method === 'get' ? undefined : {})).status);
        const answered = statuses.includes(429);
        expect({ name, answered, documented }).toEqual({ name, answered, documented: answered });
        if (answered) limited.push(name);
      }
    }
    expect(limited).toEqual(
      expect.arrayContaining([
        'POST /v1/auth/login',
        'POST /v1/portal/login',
        'POST /v1/portal/signup',
        'POST /v1/portal/password/forgot',
        'POST /v1/portal/password/reset',
        'POST /v1/portal/email/verify',
        'POST /v1/portal/invitations/accept',
      ]),
    );
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createApp } from '../src/app.ts';
import { buildDeps } from '../src/build-deps.ts';
import { loadConfig } from '../src/config.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock, type ManualClock } from '../src/kernel/clock.ts';
import { expectProblem } from './contract/client.ts';
import { createTestPlatform, TEST_SECRET, type ApiResponse, type TestPlatform } from './harness.ts';

// Small limits, counted on a clock the tests move.
const LIMITS = { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_LOGIN_PER_MINUTE: '2' };
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

describe('issue 13: rate limit per principal on /v1', () => {
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

describe('issue 13: login is limited per client address', () => {
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

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, type TestPlatform } from './harness.ts';

const ORIGIN = 'https://app.example.com';

describe('CORS with CORS_ORIGINS set', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await createTestPlatform({ env: { CORS_ORIGINS: `${ORIGIN}, https://other.example.com` } });
  });
  afterAll(() => p.close());

  test('a preflight from an allowed origin is answered before authentication', async () => {
    const res = await p.app.request('/v1/customers', {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(res.headers.get('Access-Control-Allow-Methods')).toContain('PATCH');
    expect(res.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('idempotency-key');
  });

  test('a call from an allowed origin carries the origin and the exposed headers', async () => {
    const res = await p.call('GET', '/v1/customers', { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(res.headers.get('Access-Control-Expose-Headers')).toContain('X-Request-Id');
  });

  test('another origin gets no CORS header', async () => {
    const res = await p.call('GET', '/v1/customers', { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});

describe('CORS by default, and security headers', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await createTestPlatform();
  });
  afterAll(() => p.close());

  test('no origin is allowed by default', async () => {
    const res = await p.call('GET', '/v1/customers', { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  test('every response carries the security headers: API, errors, health, docs', async () => {
    for (const [path, status] of [['/v1/customers', 200], ['/v1/nothing-here', 404], ['/healthz', 200], ['/openapi.json', 200], ['/docs', 200]] as const) {
      const res = await p.call('GET', path);
      expect(res.status).toBe(status);
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(res.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
      expect(res.headers.get('Strict-Transport-Security')).toContain('max-age=');
    }
  });

  test('/docs still serves Scalar from our own assets', async () => {
    const res = await p.call<string>('GET', '/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toContain('/assets/scalar.js');
    expect((await p.call('GET', '/assets/scalar.js', { token: null })).status).toBe(200);
  });

  test("the dashboard's own CSP and Referrer-Policy win on /admin pages", async () => {
    const res = await p.app.request('/admin/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
    expect(res.headers.get('Referrer-Policy')).toBe('same-origin');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});

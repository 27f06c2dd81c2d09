import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import type { AppEnv } from './env.ts';
import { requestId } from './request-id.ts';

const app = new Hono<AppEnv>();
app.use(requestId());
app.get('/', (c) => c.text(c.get('requestId')));

async function idFor(given?: string) {
  const res = await app.request('/', given === undefined ? {} : { headers: { 'X-Request-Id': given } });
  const id = await res.text();
  expect(res.headers.get('x-request-id')).toBe(id);
  return id;
}

describe('request ids come from hono\'s request-id middleware', () => {
  test('the middleware is hono\'s, configured rather than re-implemented', () => {
    expect(requestId().name).toBe('requestId');
  });

  test('a sane caller id is kept (with dots and colons too), anything else becomes a fresh req_ id', async () => {
    expect(await idFor('trace-abc.123')).toBe('trace-abc.123');
    expect(await idFor('svc:span_42')).toBe('svc:span_42');
    expect(await idFor('x'.repeat(128))).toBe('x'.repeat(128));
    for (const bad of [undefined, '', 'has spaces <script>', 'x'.repeat(129)]) expect(await idFor(bad)).toMatch(/^req_[0-9A-Z]{26}$/);
  });
});

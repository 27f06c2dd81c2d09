import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env.ts';
import { handleError } from './problem.ts';

describe('statuses the runtime or Hono may raise are problem+json too', () => {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.get('/headers', () => {
    throw new HTTPException(431, { message: 'the request headers are larger than 16 KiB' });
  });
  app.get('/method', () => {
    throw new HTTPException(405);
  });

  test('a 431 carries a problem+json body with its own code', async () => {
    const res = await app.request('/headers');
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toStartWith('application/problem+json');
    expect(await res.json()).toMatchObject({ type: '/problems/headers_too_large', code: 'headers_too_large', status: 431, detail: 'the request headers are larger than 16 KiB', instance: '/headers' });
  });

  test('a 405 carries a problem+json body with its own code', async () => {
    const res = await app.request('/method');
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ code: 'method_not_allowed', status: 405, title: 'This resource does not support the method' });
  });
});

describe('the storage refusing a write is a 503 the client can retry, never a 500', () => {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  const driverError = (code: string, message: string) => Object.assign(new Error(message), { code });
  app.post('/full', () => {
    // As drizzle throws it: the query, and the driver's error as its cause.
    throw new Error('Failed query: insert into "customers" …', { cause: driverError('SQLITE_FULL', 'database or disk is full') });
  });
  app.post('/read-only', () => {
    throw driverError('SQLITE_READONLY', 'attempt to write a readonly database');
  });

  test('a full disk: 503 storage_unavailable with Retry-After and the reason, no SQL', async () => {
    const res = await app.request('/full', { method: 'POST' });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toStartWith('application/problem+json');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: '/problems/storage_unavailable', code: 'storage_unavailable', status: 503, reason: 'disk_full', instance: '/full' });
    expect(JSON.stringify(body)).not.toContain('insert into');
  });

  test('a read-only database: the same problem, reason read_only', async () => {
    const res = await app.request('/read-only', { method: 'POST' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'storage_unavailable', reason: 'read_only' });
  });
});

import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env.ts';
import { handleError } from './problem.ts';

describe('issue 8: statuses the runtime or Hono may raise are problem+json too', () => {
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

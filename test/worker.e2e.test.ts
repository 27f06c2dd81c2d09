import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventResource } from '../src/events/contract.ts';
import type { Readiness } from '../src/http/health.ts';
import { customerInput } from './harness.ts';
import { killAll, pollUntil } from './processes.ts';
import { startDevWorker, type DevWorker } from './workerd.ts';

/**
 * The Worker for real: `npm run dev:worker` serves src/worker.ts in workerd, where the
 * Durable Object migrates its database, creates the admin and runs the worker passes on
 * its alarm. Only the HTTP API is used, as a client on the Internet would.
 */
const ADMIN = { email: 'edge-admin@example.com', password: 'Edge-Smoke-Password-42' };
let worker: DevWorker;
let token: string;

beforeAll(async () => {
  worker = await startDevWorker({ JWT_SECRET: 'edge-smoke-secret-that-is-long-enough-0123', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
}, 150_000);
afterAll(async () => {
  await worker?.stop();
  await killAll();
});

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const eventsOf = async (subject: string) => (await call<Page<EventResource>>('GET', `/v1/events?subject=${subject}&limit=100`)).body.data;

describe('the Worker in workerd (npm run dev:worker)', () => {
  test('is ready with every migration applied', async () => {
    const res = await fetch(`${worker.url}/readyz`);
    expect(res.status).toBe(200);
    expect((await res.json()) as Readiness).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', bus: 'ok', storage: 'ok' } });
  });

  test('the admin from ADMIN_EMAIL/ADMIN_PASSWORD logs in', async () => {
    const res = await fetch(`${worker.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    expect(res.status).toBe(200);
    token = ((await res.json()) as { token: string }).token;
    expect(token).toBeString();
  });

  test('an onboarding reaches its welcome notification and profile with no call but the POST: the alarm ran the passes', async () => {
    const created = await call<CustomerResource>('POST', '/v1/customers', customerInput({ name: 'Edgeworth Trading' }));
    expect(created.status).toBe(201);
    const types = await pollUntil('notification.sent and customer.profiled', async () => {
      const t = (await eventsOf(created.body.id)).map((e) => e.type);
      return t.includes('notification.sent') && t.includes('customer.profiled') ? t : null;
    });
    expect(types).toContain('customer.onboarded');
    expect(types.filter((t) => t === 'notification.sent')).toHaveLength(1);
    const onboarded = await pollUntil('the onboarding handled by its three groups', async () => {
      const event = (await eventsOf(created.body.id)).find((e) => e.type === 'customer.onboarded');
      return event?.delivery.handled_by.length === 2 ? event : null;
    });
    expect(onboarded.delivery.state).toBe('published');
    expect(onboarded.delivery.handled_by).toEqual(['notifications', 'profiling']);
  });

  test('text search runs on the object\'s FTS5 trigram index (migration 0007)', async () => {
    const found = await call<Page<CustomerResource>>('GET', '/v1/customers?q=gewor');
    expect(found.body.data.map((c) => c.name)).toEqual(['Edgeworth Trading']);
  });

  test('50 parallel activations of one customer: one wins, 49 conflict, one event', async () => {
    const created = await call<CustomerResource>('POST', '/v1/customers', customerInput());
    const statuses = await Promise.all(Array.from({ length: 50 }, () => call('POST', `/v1/customers/${created.body.id}/activate`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const events = await eventsOf(created.body.id);
    expect(events.filter((e) => e.type === 'customer.activated')).toHaveLength(1);
    const sequences = events.map((e) => e.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
  });

  test('the dashboard and /docs work behind a firewall on Workers too: htmx, uPlot and Scalar are the Worker\'s own static assets', async () => {
    for (const name of ['htmx.min.js', 'uPlot.iife.min.js', 'uPlot.min.css', 'scalar.js']) {
      const res = await fetch(`${worker.url}/assets/${name}`);
      expect({ name, status: res.status, bytes: (await res.arrayBuffer()).byteLength > 1000 }).toEqual({ name, status: 200, bytes: true });
    }
    const docs = await (await fetch(`${worker.url}/docs`)).text();
    expect(docs).toContain('/assets/scalar.js');
    expect(docs).not.toContain('cdn.jsdelivr.net');
    expect((await fetch(`${worker.url}/admin/login`)).status).toBe(200);
  });

  test('a client cannot wake the object: the header is dropped and the request served', async () => {
    const res = await fetch(`${worker.url}/healthz`, { headers: { 'x-platform-wake': '1' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('the cron trigger runs the Worker\'s scheduled handler, which wakes the object', async () => {
    // wrangler dev does not fire crons by itself; this endpoint runs `scheduled` as the cron would.
    const res = await fetch(`${worker.url}/cdn-cgi/local/scheduled?cron=*+*+*+*+*`);
    expect(res.status).toBe(200);
  });

  test('stops on SIGTERM and leaves no wrangler or workerd behind', async () => {
    expect(await worker.stop()).toEqual([]);
    expect(await fetch(`${worker.url}/healthz`).then(() => 'answered', () => 'refused')).toBe('refused');
  });
});

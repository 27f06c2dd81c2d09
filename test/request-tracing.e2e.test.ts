import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import { busLog, notifications, outbox } from '../db/schema/index.ts';
import { consumeOnce, deliveryHandler, type EventHandler } from '../src/bus/consumer.ts';
import type { CustomerResource, NotificationEntry } from '../src/customers/contract.ts';
import { toEnvelope } from '../src/events/envelope.ts';
import { createLogger, type LogLevel } from '../src/kernel/logger.ts';
import type { Page } from '../db/paging.ts';
import { forEachBus } from './kafka-env.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';

// A caller that traces: its W3C trace context, and the trace id inside it.
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const lines: { level: LogLevel; entry: Record<string, unknown> }[] = [];
const logger = createLogger({ level: 'debug', write: (level, line) => lines.push({ level, entry: JSON.parse(line) }) });
let p: TestPlatform;

forEachBus('the request id follows a request through its events into the workers', (bus) => {
  beforeAll(async () => {
    p = await createTestPlatform({ env: bus.env(), build: { logger } });
    p.startWorkers();
  });
  afterAll(() => p.close());

  test('the welcome email sent for a POST is logged with that POST’s request id and trace id', async () => {
    const requestId = `req-trace-${bus.name}`;
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(), headers: { 'X-Request-Id': requestId, traceparent: TRACEPARENT } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await eventually(async () => {
      const res = await p.call<Page<NotificationEntry>>('GET', `/v1/customers/${id}/notifications`);
      return res.body.data.some((n) => n.status === 'sent') || null;
    }, { timeoutMs: 30_000 });

    // The access line of the POST names the trace; the log channel's line names the request.
    const access = lines.find((l) => l.entry.msg === 'request' && l.entry.request_id === requestId);
    expect(access?.entry).toMatchObject({ method: 'POST', route: '/v1/customers', status: 201, trace_id: TRACE_ID });
    const [notification] = await p.deps.db.select().from(notifications).where(eq(notifications.customerId, id));
    const sent = lines.find((l) => l.entry.msg === 'email (log channel)' && l.entry.id === notification!.id);
    expect(sent?.entry.request_id).toBe(requestId);
  });

  test('events carry the request id and traceparent in their envelope, also those a consumer wrote', async () => {
    const requestId = `req-envelope-${bus.name}`;
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(), headers: { 'X-Request-Id': requestId, traceparent: TRACEPARENT } });
    const id = created.body.id;
    // notification.sent is written by the notifications worker, in the context of the event it handled.
    const events = await eventually(async () => {
      const rows = await p.deps.db.select().from(outbox).where(eq(outbox.subject, id));
      return rows.some((r) => r.type === 'notification.sent') ? rows : null;
    }, { timeoutMs: 30_000 });
    for (const row of events) expect([row.type, row.requestId]).toEqual([row.type, requestId]);
    // The dispatcher keeps the request id of a queued message, not its trace context.
    for (const row of events.filter((e) => e.type !== 'notification.sent')) expect([row.type, row.traceparent]).toEqual([row.type, TRACEPARENT]);
    const envelope = toEnvelope(events.find((e) => e.type === 'customer.onboarded')!);
    expect(envelope).toMatchObject({ requestid: requestId, traceparent: TRACEPARENT });
    if (bus.name === 'embedded') {
      const [logged] = await p.deps.db.select({ envelope: busLog.envelope }).from(busLog).where(eq(busLog.eventId, envelope.id));
      expect(JSON.parse(logged!.envelope)).toMatchObject({ requestid: requestId, traceparent: TRACEPARENT });
    }
  });

  test('a request without a traceparent (or with a malformed one) carries none', async () => {
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(), headers: { traceparent: '00-not-a-trace' } });
    const [row] = await p.deps.db.select().from(outbox).where(eq(outbox.subject, created.body.id));
    expect(row!.traceparent).toBeNull();
    expect(row!.requestId).toBe(created.headers.get('x-request-id')!);
    expect(toEnvelope(row!)).not.toHaveProperty('traceparent');
  });
});

describe('a consumer’s log lines name the request behind the event', () => {
  let q: TestPlatform;
  beforeAll(async () => {
    q = await createTestPlatform({ build: { logger } });
  });
  afterAll(() => q.close());

  test('what a handler logs, its retries and its dead letter carry request id, event id, group and trace id', async () => {
    const created = await q.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(), headers: { 'X-Request-Id': 'req-consumer-lines', traceparent: TRACEPARENT } });
    const [row] = await q.deps.db.select().from(outbox).where(and(eq(outbox.subject, created.body.id), eq(outbox.type, 'customer.onboarded')));
    const envelope = toEnvelope(row!);
    let calls = 0;
    let expectedRequest = 'req-consumer-lines';
    const handler: EventHandler = {
      group: 'tracing-test',
      types: ['customer.onboarded'],
      async handle(ctx) {
        calls++;
        ctx.logger.info('handling');
        // The handler's context continues the request: what it audits or emits names it too.
        expect(ctx.requestId).toBe(expectedRequest);
        if (calls < 3) throw new Error('not yet');
      },
    };
    lines.length = 0;
    await deliveryHandler(q.deps, handler, { attempts: 2, sleep: async () => {} })(envelope);
    const expected = { group: 'tracing-test', event_id: envelope.id, event_type: 'customer.onboarded', request_id: 'req-consumer-lines', trace_id: TRACE_ID };
    const about = lines.map((l) => l.entry);
    expect(about.map((l) => l.msg)).toEqual(['handling', 'event handling failed; retrying', 'handling', 'event dead-lettered after retries']);
    for (const line of about) expect(line).toMatchObject(expected);

    // An event no request caused is named by its own id.
    const { requestid: _, traceparent: __, ...bare } = envelope;
    lines.length = 0;
    expectedRequest = envelope.id;
    expect(await consumeOnce(q.deps, { ...handler, group: 'tracing-test-2' }, bare)).toBe('handled');
    expect(lines.map((l) => l.entry)).toEqual([expect.objectContaining({ msg: 'handling', request_id: envelope.id, event_id: envelope.id })]);
    expect(lines[0]!.entry).not.toHaveProperty('trace_id');
  });
});

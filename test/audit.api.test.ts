import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq } from 'drizzle-orm';
import type { Page } from '../db/paging.ts';
import { inbox } from '../db/schema/index.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { DeadLetterResource } from '../src/dead-letters/contract.ts';
import type { ConsumerList } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { consumeOnce } from '../src/bus/consumer.ts';
import { auditIngestHandler } from '../src/audit/consumer.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';

/**
 * The cross-service audit trail: other services publish `audit.recorded` on the bus, the
 * `audit-ingest` worker adds each to the trail once under its source, and GET /v1/audit and the
 * dashboard's audit log show it beside this platform's own entries.
 */
let p: TestPlatform;
let n = 0;
const tag = () => `${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
  p = await createTestPlatform();
  p.startWorkers(['relay', 'audit-ingest', 'webhooks']);
});
afterAll(async () => {
  await p.close();
});

/** An `audit.recorded` event as another service publishes it. */
const reported = (source: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0' as const,
  id: `evt-${tag()}`,
  source,
  type: 'audit.recorded',
  subject: String(data.target_id ?? 'x'),
  time: new Date().toISOString(),
  datacontenttype: 'application/json' as const,
  data,
  ...extra,
});

const entry = (overrides: Record<string, unknown> = {}) => ({
  actor: { kind: 'user', id: 'alice@ledger.example' },
  action: 'journal.post',
  target_type: 'journal',
  target_id: `jrn_${tag()}`,
  at: '2026-03-01T10:00:00.000Z',
  data: { lines: 2 },
  ...overrides,
});

/** Publishes events as another service would and waits until the audit-ingest group has handled or parked them. */
async function publish(...events: unknown[]) {
  await p.deps.bus.publish(events as never);
  await eventually(async () => (await p.call<ConsumerList>('GET', '/v1/consumers')).body.data.find((g) => g.group === 'audit-ingest')?.lag === 0);
}

const audit = async (query: string) => {
  const res = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?${query}`);
  expect(res.status).toBe(200);
  return res.body.data;
};

const parkedAs = async (eventId: string) => (await p.call<Page<DeadLetterResource>>('GET', '/v1/dead-letters?group=audit-ingest')).body.data.find((d) => d.event_id === eventId);

describe('audit.recorded from other services', () => {
  test("another service's entry appears in GET /v1/audit with its source, actor and data; our own entries have source null", async () => {
    const source = `urn:ledger:${tag()}`;
    const data = entry();
    const event = reported(source, data, { requestid: 'req-from-ledger' });
    await publish(event);

    expect(await audit(`source=${encodeURIComponent(source)}`)).toEqual([
      {
        id: expect.stringMatching(/^aud_/),
        actor: 'user:alice@ledger.example',
        action: 'journal.post',
        target_type: 'journal',
        target_id: data.target_id,
        request_id: 'req-from-ledger',
        at: '2026-03-01T10:00:00.000Z',
        data: { lines: 2 },
        source,
      },
    ]);
    expect(await parkedAs(event.id)).toBeUndefined();

    const customer = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() })).body;
    const ours = await audit(`target_id=${customer.id}`);
    expect(ours.map((e) => [e.action, e.source])).toEqual([['customer.onboard', null]]);
  });

  test('an event delivered twice, or again after its inbox row was lost, is one entry', async () => {
    const source = `urn:ledger:${tag()}`;
    const event = reported(source, entry());
    await publish(event, event);
    expect(await audit(`source=${encodeURIComponent(source)}`)).toHaveLength(1);

    // A group whose inbox lost the event (restored from an older backup) and is delivered it again
    // (a Kafka offset reset): the runner applies it, the trail still has it once.
    await p.deps.db.delete(inbox).where(and(eq(inbox.consumer, 'audit-ingest'), eq(inbox.eventId, event.id)));
    expect(await consumeOnce(p.deps, auditIngestHandler(p.deps.eventSource), event)).toBe('handled');
    expect(await audit(`source=${encodeURIComponent(source)}`)).toHaveLength(1);
  });

  test('a malformed event is dead-lettered with a reason naming the field, and adds nothing to the trail', async () => {
    const source = `urn:ledger:${tag()}`;
    const badKind = reported(source, entry({ actor: { kind: 'robot', id: 'r2' } }));
    const tooBig = reported(source, entry({ data: { blob: 'x'.repeat(5000) } }));
    const noAction = reported(source, entry({ action: undefined }));
    const ownSource = reported(p.deps.eventSource, entry());
    await publish(badKind, tooBig, noAction, ownSource);

    expect((await parkedAs(badKind.id))?.reason).toStartWith('invalid audit.recorded data: actor.kind: must be one of operator, user, api_key, system');
    expect((await parkedAs(tooBig.id))?.reason).toContain('data: must be at most 4096 bytes as JSON');
    expect((await parkedAs(noAction.id))?.reason).toContain('action:');
    expect((await parkedAs(ownSource.id))?.reason).toContain("this platform's own source");
    expect(await audit(`source=${encodeURIComponent(source)}`)).toEqual([]);
    expect(await audit(`source=${encodeURIComponent(p.deps.eventSource)}`)).toEqual([]);
  });

  test('the source filter returns only that service’s entries; a bad value is a 400 naming source', async () => {
    const ledger = `urn:ledger:${tag()}`;
    const crm = `urn:crm:${tag()}`;
    await publish(reported(ledger, entry({ action: 'journal.post' })), reported(crm, entry({ action: 'lead.convert' })));
    expect((await audit(`source=${encodeURIComponent(ledger)}`)).map((e) => e.action)).toEqual(['journal.post']);
    expect((await audit(`source=${encodeURIComponent(crm)}`)).map((e) => e.action)).toEqual(['lead.convert']);
    expect((await audit(`source=${encodeURIComponent(crm)}&action=journal.post`)).map((e) => e.action)).toEqual([]);
    expect((await audit('source=&limit=100')).length).toBeGreaterThan(2);

    for (const bad of ['x'.repeat(201), 'urn%0Aledger']) {
      const res = await p.call<Problem>('GET', `/v1/audit?source=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.errors?.map((e) => e.field)).toEqual(['source']);
    }
  });

  test("the dashboard's audit log shows the reporting service, and this platform for our own entries", async () => {
    const source = `urn:ledger:${tag()}`;
    const data = entry();
    await publish(reported(source, data));
    const cookie = `admin_session=${await p.tokenFor('admin')}`;

    const filtered = await p.app.request(`/admin/audit?source=${encodeURIComponent(source)}`, { headers: { Cookie: cookie } });
    expect(filtered.status).toBe(200);
    const html = await filtered.text();
    const sources = [...html.matchAll(/data-test="audit-source">([^<]*)</g)].map((m) => m[1]);
    expect(sources).toEqual([source]);
    expect(html).toContain('user:alice@ledger.example');
    expect(html).toContain(data.target_id);

    const all = await (await p.app.request('/admin/audit', { headers: { Cookie: cookie } })).text();
    expect(all).toContain('data-test="audit-source">this platform<');
  });
});

describe("other services' events stay inside the platform", () => {
  test("a foreign audit.recorded about a customer is never queued for that customer's webhooks, and no endpoint can ask for it", async () => {
    const customer = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() })).body;
    const base = `/v1/customers/${customer.id}/webhooks`;
    const asked = await p.call<Problem>('POST', base, { body: { url: 'https://hooks.example.com/in', event_types: ['audit.recorded'] } });
    expect(asked.status).toBe(400);
    expect(asked.body.errors).toEqual([{ field: 'event_types.0', message: 'must be a known event type or *' }]);
    const endpoint = await p.call<{ id: string }>('POST', base, { body: { url: 'https://hooks.example.com/all', event_types: ['*'] } });
    expect(endpoint.status).toBe(201);

    const event = reported(`urn:ledger:${tag()}`, entry({ target_type: 'customer', target_id: customer.id }), { subject: customer.id });
    await publish(event);
    const lagOf = async (group: string) => (await p.call<ConsumerList>('GET', '/v1/consumers')).body.data.find((g) => g.group === group)?.lag;
    await eventually(async () => (await lagOf('webhooks')) === 0);
    const deliveries = (await p.call<Page<{ event_type: string }>>('GET', `${base}/${endpoint.body.id}/deliveries`)).body.data;
    expect(deliveries.map((d) => d.event_type)).not.toContain('audit.recorded');
  });
});

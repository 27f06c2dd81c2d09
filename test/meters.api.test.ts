import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventType } from '../src/events/catalog.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { MeterResource } from '../src/meters/contract.ts';
import { createTestPlatform, customerInput, expectProblem, type TestPlatform } from './harness.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

/** A short random marker so codes in this file never collide. */
const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

/** A valid meter body; override any field. */
const meterInput = (overrides: Record<string, unknown> = {}) => ({
  code: `api_calls_${tag()}`,
  name: 'API calls',
  description: 'Requests to the public API',
  aggregation: 'sum',
  value_property: 'calls',
  group_by: ['region', 'method'],
  ...overrides,
});

async function create(overrides: Record<string, unknown> = {}): Promise<MeterResource> {
  const res = await p.call<MeterResource>('POST', '/v1/meters', { body: meterInput(overrides) });
  expect(res.status).toBe(201);
  return res.body;
}

async function eventsOf(id: string) {
  const res = await p.call<Page<TypedEventResource<Extract<EventType, `meter.${string}`>>>>('GET', `/v1/events?subject=${id}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function auditOf(id: string) {
  const res = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${id}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('a meter from creation to archive', () => {
  test('is created, listed, read by code, renamed and archived, with an event and an audit entry for each change', async () => {
    const created = await create();
    expect(created).toMatchObject({ object: 'meter', name: 'API calls', description: 'Requests to the public API', aggregation: 'sum', value_property: 'calls', group_by: ['region', 'method'], status: 'active', built_in: false, archived_at: null });
    expect(created.id).toMatch(/^mtr_[0-9A-Z]{26}$/);

    const listed = await p.call<Page<MeterResource>>('GET', '/v1/meters?limit=100');
    expect(listed.body.data.map((m) => m.code)).toContain(created.code);
    expect((await p.call<MeterResource>('GET', `/v1/meters/${created.code}`)).body).toEqual(created);

    const renamed = await p.call<MeterResource>('PATCH', `/v1/meters/${created.code}`, { body: { name: 'Calls', description: null } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ code: created.code, name: 'Calls', description: null, aggregation: 'sum', value_property: 'calls' });

    const archived = await p.call<MeterResource>('POST', `/v1/meters/${created.code}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ status: 'archived', name: 'Calls', aggregation: 'sum', value_property: 'calls', group_by: ['region', 'method'] });
    expect(archived.body.archived_at).not.toBeNull();
    expect((await p.call<MeterResource>('GET', `/v1/meters/${created.code}`)).body.status).toBe('archived');

    const events = await eventsOf(created.id);
    expect(events.map((e) => e.type)).toEqual(['meter.created', 'meter.updated', 'meter.archived']);
    expect(events[0]!.data).toEqual({ meter: { id: created.id, code: created.code, name: 'API calls', description: 'Requests to the public API', aggregation: 'sum', value_property: 'calls', group_by: ['region', 'method'], status: 'active' } });
    expect(events[1]!.data).toMatchObject({ changed: ['name', 'description'], meter: { name: 'Calls', description: null } });
    expect(events[2]!.data).toMatchObject({ meter: { status: 'archived' } });
    expect((await auditOf(created.id)).map((a) => a.action).sort()).toEqual(['meter.archive', 'meter.create', 'meter.update']);
  });

  test('the status filter lists archived and active meters apart', async () => {
    const kept = await create();
    const gone = await create();
    await p.call('POST', `/v1/meters/${gone.code}/archive`);
    const archived = (await p.call<Page<MeterResource>>('GET', '/v1/meters?status=archived&limit=100')).body.data.map((m) => m.code);
    const active = (await p.call<Page<MeterResource>>('GET', '/v1/meters?status=active&limit=100')).body.data.map((m) => m.code);
    expect(archived).toContain(gone.code);
    expect(archived).not.toContain(kept.code);
    expect(active).toContain(kept.code);
    expect(active).not.toContain(gone.code);
  });

  test('pages with a cursor, newest first', async () => {
    const [a, b] = [await create(), await create()];
    const first = await p.call<Page<MeterResource>>('GET', '/v1/meters?limit=1');
    expect(first.body.data.map((m) => m.code)).toEqual([b.code]);
    const second = await p.call<Page<MeterResource>>('GET', `/v1/meters?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.data.map((m) => m.code)).toEqual([a.code]);
  });

  test('count and unique_count meters are defined with and without a value property', async () => {
    expect(await create({ aggregation: 'count', value_property: undefined, group_by: [] })).toMatchObject({ aggregation: 'count', value_property: null, group_by: [] });
    expect(await create({ aggregation: 'unique_count', value_property: 'user_id' })).toMatchObject({ aggregation: 'unique_count', value_property: 'user_id' });
  });

  test('an archived meter cannot change or be archived again (409)', async () => {
    const m = await create();
    await p.call('POST', `/v1/meters/${m.code}/archive`);
    expectProblem(await p.call('PATCH', `/v1/meters/${m.code}`, { body: { name: 'x' } }), 409, 'invalid_transition');
    expectProblem(await p.call('POST', `/v1/meters/${m.code}/archive`), 409, 'invalid_transition');
  });

  test('a patch that changes nothing emits nothing', async () => {
    const m = await create();
    const same = await p.call<MeterResource>('PATCH', `/v1/meters/${m.code}`, { body: { name: m.name } });
    expect(same.body).toEqual(m);
    expect((await eventsOf(m.id)).map((e) => e.type)).toEqual(['meter.created']);
  });

  test('an unknown code is 404', async () => {
    expectProblem(await p.call('GET', '/v1/meters/no_such_meter'), 404, 'not_found');
    expectProblem(await p.call('PATCH', '/v1/meters/no_such_meter', { body: { name: 'x' } }), 404, 'not_found');
    expectProblem(await p.call('POST', '/v1/meters/no_such_meter/archive'), 404, 'not_found');
  });
});

describe('the built-in ai_tokens meter', () => {
  test('exists on a fresh database: the sum of tokens by model and token type', async () => {
    const res = await p.call<MeterResource>('GET', '/v1/meters/ai_tokens');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 'ai_tokens', aggregation: 'sum', value_property: 'tokens', group_by: ['model', 'token_type'], status: 'active', built_in: true });
    const all = (await p.call<Page<MeterResource>>('GET', '/v1/meters?limit=100')).body.data;
    expect(all.filter((m) => m.built_in).map((m) => m.code)).toEqual(['ai_tokens']);
  });

  test('refuses a change and an archive with 409 naming why, and stays as it was', async () => {
    const before = (await p.call<MeterResource>('GET', '/v1/meters/ai_tokens')).body;
    const patched = await p.call<Problem>('PATCH', '/v1/meters/ai_tokens', { body: { name: 'Tokens' } });
    expectProblem(patched, 409, 'conflict');
    expect(patched.body.detail).toContain('built in');
    const archived = await p.call<Problem>('POST', '/v1/meters/ai_tokens/archive');
    expectProblem(archived, 409, 'conflict');
    expect(archived.body.detail).toContain('built in');
    expect((await p.call<MeterResource>('GET', '/v1/meters/ai_tokens')).body).toEqual(before);
    expect(await eventsOf(before.id)).toEqual([]);
  });

  test('its code is taken: creating another ai_tokens meter is 409 naming code', async () => {
    const res = await p.call<Problem>('POST', '/v1/meters', { body: meterInput({ code: 'ai_tokens' }) });
    expectProblem(res, 409, 'conflict');
    expect(res.body.field).toBe('code');
  });
});

describe('creating', () => {
  test('a duplicate code is 409 conflict naming code, archived meters included', async () => {
    const m = await create();
    const again = await p.call<Problem>('POST', '/v1/meters', { body: meterInput({ code: m.code }) });
    expectProblem(again, 409, 'conflict');
    expect(again.body.field).toBe('code');
    await p.call('POST', `/v1/meters/${m.code}/archive`);
    expectProblem(await p.call('POST', '/v1/meters', { body: meterInput({ code: m.code }) }), 409, 'conflict');
  });

  test('a retry with the same Idempotency-Key replays the first response and creates one meter', async () => {
    const body = meterInput();
    const headers = { 'Idempotency-Key': `meter-${tag()}` };
    const first = await p.call<MeterResource>('POST', '/v1/meters', { body, headers });
    const retry = await p.call<MeterResource>('POST', '/v1/meters', { body, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await eventsOf(first.body.id)).map((e) => e.type)).toEqual(['meter.created']);
  });
});

describe('validation names each bad field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a code with capitals', { code: 'API_calls' }, 'code'],
    ['a code with a dash', { code: 'api-calls' }, 'code'],
    ['a code longer than 64', { code: 'a'.repeat(65) }, 'code'],
    ['an empty name', { name: ' ' }, 'name'],
    ['an unknown aggregation', { aggregation: 'avg' }, 'aggregation'],
    ['a value property on a count meter', { aggregation: 'count', value_property: 'calls' }, 'value_property'],
    ['no value property on a sum meter', { aggregation: 'sum', value_property: undefined }, 'value_property'],
    ['no value property on a max meter', { aggregation: 'max', value_property: undefined }, 'value_property'],
    ['no value property on a latest meter', { aggregation: 'latest', value_property: undefined }, 'value_property'],
    ['no value property on a unique_count meter', { aggregation: 'unique_count', value_property: undefined }, 'value_property'],
    ['a value property that is no property name', { value_property: 'a.b' }, 'value_property'],
    ['a group_by entry twice', { group_by: ['model', 'model'] }, 'group_by'],
    ['more than five group_by entries', { group_by: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'group_by'],
    ['a group_by entry that is no property name', { group_by: ['1st'] }, 'group_by.0'],
    ['an unknown field', { event_type: 'x' }, 'event_type'],
  ];

  test.each(cases)('%s is 400 naming %p', async (_case, overrides, field) => {
    const res = await p.call<Problem>('POST', '/v1/meters', { body: meterInput(overrides) });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors!.map((e) => e.field)).toEqual([field]);
  });

  test('every bad field at once, the cross-field rule included', async () => {
    const res = await p.call<Problem>('POST', '/v1/meters', { body: meterInput({ code: 'Bad Code', name: '', aggregation: 'count', value_property: 'calls', group_by: ['x', 'x'] }) });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors!.map((e) => e.field).sort()).toEqual(['code', 'group_by', 'name', 'value_property']);
    expect(res.body.errors!.find((e) => e.field === 'value_property')!.message).toContain('count');
  });

  test('a patch may change only name and description', async () => {
    const m = await create();
    for (const field of ['code', 'aggregation', 'value_property', 'group_by', 'status']) {
      const res = await p.call<Problem>('PATCH', `/v1/meters/${m.code}`, { body: { name: 'x', [field]: 'sum' } });
      expectProblem(res, 400, 'validation');
      expect(res.body.errors!.map((e) => e.field)).toEqual([field]);
    }
    expectProblem(await p.call('PATCH', `/v1/meters/${m.code}`, { body: {} }), 400, 'validation');
  });
});

describe('who may call', () => {
  test('a viewer reads meters but cannot create, change or archive one (403)', async () => {
    const viewer = await p.tokenFor('viewer');
    const m = await create();
    expect((await p.call('GET', '/v1/meters', { token: viewer })).status).toBe(200);
    expect((await p.call('GET', `/v1/meters/${m.code}`, { token: viewer })).status).toBe(200);
    expectProblem(await p.call('POST', '/v1/meters', { token: viewer, body: meterInput() }), 403, 'forbidden');
    expectProblem(await p.call('PATCH', `/v1/meters/${m.code}`, { token: viewer, body: { name: 'x' } }), 403, 'forbidden');
    expectProblem(await p.call('POST', `/v1/meters/${m.code}/archive`, { token: viewer }), 403, 'forbidden');
  });

  test('a platform-wide key with usage:read reads meters; no key defines them (404), and a key without the scope is 403', async () => {
    const reader = (await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'gateway', scopes: ['usage:read', 'usage:write'] } })).body.key;
    const other = (await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'crm', scopes: ['customers:read'] } })).body.key;
    expect((await p.call('GET', '/v1/meters/ai_tokens', { token: reader })).status).toBe(200);
    expect((await p.call('GET', '/v1/meters', { token: reader })).status).toBe(200);
    expectProblem(await p.call('GET', '/v1/meters', { token: other }), 403, 'forbidden');
    expectProblem(await p.call('POST', '/v1/meters', { token: reader, body: meterInput() }), 404, 'not_found');
    expectProblem(await p.call('PATCH', '/v1/meters/ai_tokens', { token: reader, body: { name: 'x' } }), 404, 'not_found');
  });

  test("a customer's key (a tenant) gets 404 on every meter route", async () => {
    const customer = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() })).body;
    const key = (await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'tenant', scopes: ['usage:read', 'usage:write'], customer_id: customer.id } })).body.key;
    const m = await create();
    expectProblem(await p.call('GET', '/v1/meters', { token: key }), 404, 'not_found');
    expectProblem(await p.call('GET', `/v1/meters/${m.code}`, { token: key }), 404, 'not_found');
    expectProblem(await p.call('POST', '/v1/meters', { token: key, body: meterInput() }), 404, 'not_found');
    expectProblem(await p.call('POST', `/v1/meters/${m.code}/archive`, { token: key }), 404, 'not_found');
    expect((await p.call<MeterResource>('GET', `/v1/meters/${m.code}`)).body.status).toBe('active');
  });
});

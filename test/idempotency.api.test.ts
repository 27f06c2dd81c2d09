import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { decodeJwt } from 'jose';
import { idempotencyKeys } from '../db/schema/index.ts';
import { storeResponse } from '../src/http/idempotency.ts';
import { purgeExpiredIdempotencyKeys } from '../src/idempotency/purge.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';
import { workerNames } from '../workers/registry.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventResource } from '../src/events/contract.ts';
import type { Page } from '../db/paging.ts';
import type { UserResource } from '../src/users/contract.ts';
import type { Problem } from '../src/http/problem.ts';

let p: TestPlatform;
let operator: string;
let operatorId: string;
beforeAll(async () => {
  p = await createTestPlatform();
  operator = await p.tokenFor('operator');
  operatorId = decodeJwt(operator).sub!;
});
afterAll(() => p.close());

const newKey = () => `key-${crypto.randomUUID()}`;

/** POSTs raw JSON text with an Idempotency-Key, returning the exact body text too. */
async function post<T = unknown>(path: string, body: unknown, key: string | undefined, token = operator, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers };
  if (key !== undefined) h['Idempotency-Key'] = key;
  const res = await p.app.request(path, { method: 'POST', headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : null) as T };
}

async function customersWithEmail(email: string) {
  const res = await p.call<Page<CustomerResource>>('GET', `/v1/customers?email=${encodeURIComponent(email)}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function eventsOf(subject: string, type: string) {
  const res = await p.call<Page<EventResource>>('GET', `/v1/events?subject=${subject}&type=${type}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function auditOf(targetId: string) {
  const res = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${targetId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('Idempotency-Key on POST', () => {
  test('a retry with the same key and body replays the first response; only one customer and one event exist', async () => {
    const key = newKey();
    const input = customerInput();
    const first = await post<CustomerResource>('/v1/customers', input, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotency-replayed')).toBeNull();

    const second = await post('/v1/customers', input, key);
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toStartWith('application/json');

    const third = await post('/v1/customers', input, key);
    expect(third.text).toBe(first.text);

    const found = await customersWithEmail(input.email);
    expect(found.map((c) => c.id)).toEqual([first.body.id]);
    expect(await eventsOf(first.body.id, 'customer.onboarded')).toHaveLength(1);
    expect((await auditOf(first.body.id)).filter((a) => a.action === 'customer.onboard')).toHaveLength(1);
  });

  test('without a key, the same POST twice is two requests (the second conflicts)', async () => {
    const input = customerInput();
    expect((await post('/v1/customers', input, undefined)).status).toBe(201);
    const again = await post('/v1/customers', input, undefined);
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotency-replayed')).toBeNull();
  });

  test('the same key with a different body is a 422 problem and creates nothing', async () => {
    const key = newKey();
    const input = customerInput();
    expect((await post('/v1/customers', input, key)).status).toBe(201);
    const changed = customerInput();
    const res = await post('/v1/customers', changed, key);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toStartWith('application/problem+json');
    expect(res.body).toMatchObject({ status: 422, code: 'idempotency_mismatch', type: '/problems/idempotency_mismatch' });
    expect(await customersWithEmail(changed.email)).toEqual([]);
  });

  test('the same key on another path is a different request (422)', async () => {
    const key = newKey();
    const c = await post<CustomerResource>('/v1/customers', customerInput(), key);
    expect(c.status).toBe(201);
    const res = await post(`/v1/customers/${c.body.id}/activate`, customerInput(), key);
    expect(res.status).toBe(422);
    expect((await p.call<CustomerResource>('GET', `/v1/customers/${c.body.id}`)).body.status).toBe('onboarded');
  });

  test('a key used by a different operator is independent', async () => {
    const key = newKey();
    const other = await p.tokenFor('operator');
    const mine = await post<CustomerResource>('/v1/customers', customerInput(), key);
    const theirsInput = customerInput();
    const theirs = await post<CustomerResource>('/v1/customers', theirsInput, key, other);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotency-replayed')).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect((await customersWithEmail(theirsInput.email)).map((c) => c.id)).toEqual([theirs.body.id]);
  });

  test('a request that failed validation replays the same 400', async () => {
    const key = newKey();
    const bad = customerInput({ country: 'Germany' });
    const first = await post<Problem>('/v1/customers', bad, key);
    expect(first.status).toBe(400);
    expect(first.body.errors!.map((e) => e.field)).toContain('country');

    const second = await post('/v1/customers', bad, key);
    expect(second.status).toBe(400);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toStartWith('application/problem+json');
  });

  test('a conflict (duplicate email) replays too, even after the conflict is gone', async () => {
    const input = customerInput();
    const original = await post<CustomerResource>('/v1/customers', input, undefined);
    const key = newKey();
    const first = await post('/v1/customers', input, key);
    expect(first.status).toBe(409);
    // The original customer moves to another address: the email is free now.
    expect((await p.call('PATCH', `/v1/customers/${original.body.id}`, { body: { email: `moved-${crypto.randomUUID()}@acme.example` } })).status).toBe(200);
    const retry = await post('/v1/customers', input, key);
    expect(retry.status).toBe(409);
    expect(retry.text).toBe(first.text);
    expect(await customersWithEmail(input.email)).toEqual([]);
  });

  test('two concurrent first requests with one key: exactly one creates, the other waits its turn or replays', async () => {
    for (let round = 0; round < 5; round++) {
      const key = newKey();
      const input = customerInput();
      const results = await Promise.all([post<CustomerResource>('/v1/customers', input, key), post<CustomerResource>('/v1/customers', input, key)]);
      const created = results.filter((r) => r.status === 201 && r.headers.get('idempotency-replayed') === null);
      expect(created).toHaveLength(1);
      const other = results.find((r) => r !== created[0])!;
      if (other.status === 409) {
        expect((other.body as unknown as Problem).code).toBe('idempotency_in_progress');
      } else {
        expect(other.status).toBe(201);
        expect(other.headers.get('idempotency-replayed')).toBe('true');
        expect(other.text).toBe(created[0]!.text);
      }
      expect((await customersWithEmail(input.email)).map((c) => c.id)).toEqual([created[0]!.body.id]);
      expect(await eventsOf(created[0]!.body.id, 'customer.onboarded')).toHaveLength(1);
      // Whatever the loser saw, a later retry gets the stored answer.
      const later = await post('/v1/customers', input, key);
      expect(later.text).toBe(created[0]!.text);
    }
  });

  test('a retry that arrives while the first request is still running is a 409 idempotency_in_progress', async () => {
    // Hold the database's write path so both requests are in flight at the same moment
    // (as when the first request's commit is slow), then let them go once both wait to write.
    const real = p.deps.transactor;
    let writes = 0;
    p.deps.transactor = { write: (fn) => (writes++, real.write(fn)) };
    let release!: () => void;
    const held = p.deps.transactor.write(() => new Promise<void>((resolve) => (release = resolve)));
    const key = newKey();
    const input = customerInput();
    const first = post('/v1/customers', input, key);
    const second = post('/v1/customers', input, key);
    try {
      await eventually(async () => writes >= 3);
    } finally {
      release();
      p.deps.transactor = real;
    }
    await held;
    const [a, b] = (await Promise.all([first, second])).sort((x, y) => x.status - y.status);

    expect(a.status).toBe(201);
    expect(a.headers.get('idempotency-replayed')).toBeNull();
    expect(b.status).toBe(409);
    expect(b.headers.get('content-type')).toStartWith('application/problem+json');
    expect(b.body).toMatchObject({ code: 'idempotency_in_progress', status: 409 });
    expect(await customersWithEmail(input.email)).toHaveLength(1);

    const retry = await post('/v1/customers', input, key);
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(a.text);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
  });

  test('many concurrent requests with one key still make one customer', async () => {
    const key = newKey();
    const input = customerInput();
    const results = await Promise.all(Array.from({ length: 8 }, () => post('/v1/customers', input, key)));
    expect(results.filter((r) => r.status === 201 && r.headers.get('idempotency-replayed') === null)).toHaveLength(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(await customersWithEmail(input.email)).toHaveLength(1);
  });

  test('a retried transition with its key replays the success instead of a 409 invalid_transition', async () => {
    const c = await post<CustomerResource>('/v1/customers', customerInput(), undefined);
    const key = newKey();
    const first = await post<CustomerResource>(`/v1/customers/${c.body.id}/activate`, undefined, key);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('active');

    const retry = await post(`/v1/customers/${c.body.id}/activate`, undefined, key);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');

    // Without the key the same call is a new request, which the state machine refuses.
    const fresh = await post<Problem>(`/v1/customers/${c.body.id}/activate`, undefined, newKey());
    expect(fresh.status).toBe(409);
    expect(fresh.body.code).toBe('invalid_transition');

    expect(await eventsOf(c.body.id, 'customer.activated')).toHaveLength(1);
    expect((await p.call<CustomerResource>('GET', `/v1/customers/${c.body.id}`)).body.version).toBe(2);
    expect((await auditOf(c.body.id)).filter((a) => a.action === 'customer.activate')).toHaveLength(1);
  });

  test('a retried user invitation with its key makes one user', async () => {
    const c = await post<CustomerResource>('/v1/customers', customerInput(), undefined);
    const key = newKey();
    const body = { email: `once-${crypto.randomUUID()}@people.example`, role: 'member' };
    const first = await post(`/v1/customers/${c.body.id}/users`, body, key);
    const second = await post(`/v1/customers/${c.body.id}/users`, body, key);
    expect(first.status).toBe(201);
    expect(second.text).toBe(first.text);
    const users = (await p.call<Page<UserResource>>('GET', `/v1/customers/${c.body.id}/users`)).body.data;
    expect(users.filter((u) => u.email === body.email)).toHaveLength(1);
  });
});

describe('audit trail', () => {
  test('onboarding is audited with the operator as actor and the request id of the response', async () => {
    const res = await post<CustomerResource>('/v1/customers', customerInput(), newKey());
    expect(res.status).toBe(201);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const entries = await auditOf(res.body.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'customer.onboard', actor: operatorId, target_type: 'customer', target_id: res.body.id, request_id: requestId });
  });

  test('a caller-supplied X-Request-Id is what the audit entry records', async () => {
    const res = await post<CustomerResource>('/v1/customers', customerInput(), undefined, operator, { 'X-Request-Id': 'client-trace-42' });
    expect(res.headers.get('x-request-id')).toBe('client-trace-42');
    expect((await auditOf(res.body.id))[0]).toMatchObject({ action: 'customer.onboard', request_id: 'client-trace-42', actor: operatorId });
  });

  test('every write to a customer leaves one audit entry tied to its request', async () => {
    const expected: { action: string; requestId: string }[] = [];
    const track = async (action: string, res: { status: number; headers: Headers }) => {
      expect(res.status).toBeLessThan(300);
      expected.push({ action, requestId: res.headers.get('x-request-id')! });
    };
    const created = await post<CustomerResource>('/v1/customers', customerInput(), undefined);
    const id = created.body.id;
    await track('customer.onboard', created);
    await track('customer.update', await p.call('PATCH', `/v1/customers/${id}`, { token: operator, body: { name: 'Audited Ltd' } }));
    await track('customer.activate', await post(`/v1/customers/${id}/activate`, undefined, undefined));
    await track('customer.promote', await post(`/v1/customers/${id}/promote`, { reason: 'audit test' }, undefined));
    await track('customer.deactivate', await post(`/v1/customers/${id}/deactivate`, undefined, undefined));
    await track('customer.erase', await post(`/v1/customers/${id}/erase`, undefined, undefined));

    const entries = (await auditOf(id)).reverse();
    expect(entries.map((e) => ({ action: e.action, requestId: e.request_id }))).toEqual(expected);
    for (const e of entries) expect(e.actor).toBe(operatorId);
  });

  test('user changes are audited against the user', async () => {
    const c = await post<CustomerResource>('/v1/customers', customerInput(), undefined);
    const added = await post<UserResource>(`/v1/customers/${c.body.id}/users`, { email: `audited-${crypto.randomUUID()}@people.example`, role: 'member' }, undefined);
    const changed = await p.call('PATCH', `/v1/customers/${c.body.id}/users/${added.body.id}`, { token: operator, body: { role: 'admin' } });
    const removed = await p.call('DELETE', `/v1/customers/${c.body.id}/users/${added.body.id}`, { token: operator });
    const entries = (await auditOf(added.body.id)).reverse();
    expect(entries.map((e) => [e.action, e.request_id, e.actor])).toEqual([
      ['user.invite', added.headers.get('x-request-id'), operatorId],
      ['user.change_role', changed.headers.get('x-request-id'), operatorId],
      ['user.remove', removed.headers.get('x-request-id'), operatorId],
    ]);
  });

  test('a refused write leaves no audit entry', async () => {
    const c = await post<CustomerResource>('/v1/customers', customerInput(), undefined);
    expect((await post(`/v1/customers/${c.body.id}/deactivate`, undefined, undefined)).status).toBe(409);
    expect((await auditOf(c.body.id)).map((e) => e.action)).toEqual(['customer.onboard']);
  });
});

describe('Idempotency-Key retention', () => {
  test('a key is remembered for 24 hours; after that the same key starts a new request', async () => {
    const clock = manualClock(Date.UTC(2026, 3, 1));
    const q = await createTestPlatform({ build: { clock }, env: { JWT_TTL_SECONDS: '604800' } });
    try {
      const headers = { 'Idempotency-Key': 'daily-import-1' };
      const first = await q.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(), headers });
      expect(first.status).toBe(201);
      clock.advance(23 * 3600_000);
      const sameDay = await q.call('POST', '/v1/customers', { body: customerInput(), headers });
      expect(sameDay.status).toBe(422);
      clock.advance(2 * 3600_000);
      const nextDay = await q.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(), headers });
      expect(nextDay.status).toBe(201);
      expect(nextDay.body.id).not.toBe(first.body.id);
      expect(nextDay.headers.get('Idempotency-Replayed')).toBeNull();
    } finally {
      await q.close();
    }
  });
});

describe('Idempotency-Key purge', () => {
  test('records past the 24-hour retention are deleted, newer ones kept', async () => {
    const clock = manualClock(Date.UTC(2026, 3, 1));
    const q = await createTestPlatform({ build: { clock }, env: { JWT_TTL_SECONDS: '604800' } });
    try {
      await q.call('POST', '/v1/customers', { body: customerInput(), headers: { 'Idempotency-Key': 'old-key' } });
      clock.advance(20 * 3600_000);
      await q.call('POST', '/v1/customers', { body: customerInput(), headers: { 'Idempotency-Key': 'new-key' } });
      clock.advance(5 * 3600_000);
      expect(await purgeExpiredIdempotencyKeys(q.deps)).toBe(1);
      const left = await q.deps.db.select({ key: idempotencyKeys.key }).from(idempotencyKeys);
      expect(left.map((r) => r.key)).toEqual(['new-key']);
    } finally {
      await q.close();
    }
  });
});

describe('the idempotency purge has a home and a worker of its own', () => {
  test('the idempotency-purge worker deletes keys past retention when it starts, and the relay no longer does', async () => {
    const clock = manualClock(Date.UTC(2026, 3, 1));
    const q = await createTestPlatform({ build: { clock }, env: { JWT_TTL_SECONDS: '604800' } });
    try {
      expect(workerNames).toContain('idempotency-purge');
      await q.call('POST', '/v1/customers', { body: customerInput(), headers: { 'Idempotency-Key': 'stale-key' } });
      clock.advance(25 * 3600_000);
      q.startWorkers(['relay']);
      await q.stopWorkers();
      expect((await q.deps.db.select({ key: idempotencyKeys.key }).from(idempotencyKeys)).map((r) => r.key)).toEqual(['stale-key']);
      q.startWorkers(['idempotency-purge']);
      await eventually(async () => (await q.deps.db.select({ key: idempotencyKeys.key }).from(idempotencyKeys)).length === 0);
    } finally {
      await q.close();
    }
  });
});

describe('Idempotency-Key takeover', () => {
  test('a request whose claim was taken over by a retry cannot store its response (its transaction rolls back)', async () => {
    const q = await createTestPlatform();
    try {
      const row = { principal: 'op_x', key: 'slow', method: 'POST', path: '/v1/customers', requestHash: 'h', state: 'in_progress' as const, lockedUntil: 2_000, createdAt: 1_000, owner: 'retry' };
      await q.deps.transactor.write((tx) => tx.insert(idempotencyKeys).values(row));
      const stale = { principal: 'op_x', key: 'slow', owner: 'first', stored: false, recoveryPoint: null };
      await expect(q.deps.transactor.write((tx) => storeResponse(tx, stale, 201, '{}'))).rejects.toThrow('took over');
      const current = { ...stale, owner: 'retry' };
      await q.deps.transactor.write((tx) => storeResponse(tx, current, 201, '{"ok":true}'));
      const [stored] = await q.deps.db.select().from(idempotencyKeys);
      expect(stored).toMatchObject({ state: 'completed', responseStatus: 201, responseBody: '{"ok":true}' });
    } finally {
      await q.close();
    }
  });
});

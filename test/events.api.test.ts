import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { outbox } from '../db/schema/index.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventResource } from '../src/events/contract.ts';
import type { Page } from '../db/paging.ts';
import type { Problem } from '../src/http/problem.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

async function page(cursor: string | null) {
  const res = await p.call<Page<EventResource>>('GET', `/v1/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
  expect(res.status).toBe(200);
  expect(res.body.has_more).toBe(res.body.next_cursor !== null);
  return res.body;
}

describe('GET /v1/events', () => {
  test('pages in commit order: every event once, even one committed after a later id was paged past', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
      expect(res.status).toBe(201);
      expect((await p.call('PATCH', `/v1/customers/${res.body.id}`, { body: { name: `Renamed ${i}` } })).status).toBe(200);
    }

    const first = await page(null);
    expect(first.data).toHaveLength(2);
    // Another process minted this id before ours but commits only now: its id sorts before everything already listed.
    const late = { id: `evt_${'0'.repeat(26)}`, type: 'customer.updated', source: 'test:other-process', subject: 'cus_LATE', sequence: 1, time: 0, data: {} };
    await p.deps.db.insert(outbox).values(late);

    const seen = [...first.data];
    let cursor = first.next_cursor;
    while (cursor) {
      const next = await page(cursor);
      seen.push(...next.data);
      cursor = next.next_cursor;
    }

    const stored = await p.deps.db.select({ id: outbox.id }).from(outbox);
    expect(seen.map((e) => e.id).sort()).toEqual(stored.map((e) => e.id).sort());
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(seen.at(-1)?.id).toBe(late.id);
    const lastSequence = new Map<string, number>();
    for (const e of seen) {
      expect(e.sequence).toBe((lastSequence.get(e.subject) ?? 0) + 1);
      lastSequence.set(e.subject, e.sequence);
    }
  });

  test('a cursor that is not a position in the log is a validation error', async () => {
    const res = await p.call<Problem>('GET', `/v1/events?cursor=${btoa(JSON.stringify('evt_01J0000000000000000000000'))}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation');
  });
});

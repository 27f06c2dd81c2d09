import { describe, expect, test } from 'bun:test';
import type { Page } from '../../db/paging.ts';
import type { AuditEntryResource } from '../../src/audit/contract.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { ConsumerList, EventResource } from '../../src/events/contract.ts';
import type { ProfileResource } from '../../src/profiling/contract.ts';
import { pollUntil } from '../processes.ts';
import { customerBody, expectInvalid } from './client.ts';
import type { Session } from './session.ts';

/** What the platform remembers: events (paged, filtered), consumer groups, profiles, the audit trail. */
export function historyContract(s: Session) {
  describe('events, consumers, profiles and audit', () => {
    test('events of a subject page in order with a cursor, each once, and filter by type', async () => {
      const c = (await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody() })).body;
      for (const name of ['One', 'Two', 'Three']) await s.api.call('PATCH', `/v1/customers/${c.id}`, { body: { name } });
      const seen: EventResource[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `subject=${c.id}&type=customer.updated&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await s.api.call<Page<EventResource>>('GET', `/v1/events?${query}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.data);
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen.map((e) => e.type)).toEqual(['customer.updated', 'customer.updated', 'customer.updated']);
      expect(seen.map((e) => e.subject)).toEqual([c.id, c.id, c.id]);
      const sequences = seen.map((e) => e.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(seen[0]).toMatchObject({ source: expect.any(String), time: expect.any(String), delivery: { state: expect.stringMatching(/^(pending|published)$/) } });
      expectInvalid(await s.api.call('GET', '/v1/events?cursor=nonsense'), ['cursor']);
    });

    test('consumer groups show their position and lag', async () => {
      const res = await s.api.call<ConsumerList>('GET', '/v1/consumers');
      expect(res.status).toBe(200);
      expect(res.body.data.map((g) => g.group)).toEqual(expect.arrayContaining(['notifications', 'profiling']));
      for (const g of res.body.data) expect(g).toMatchObject({ position: expect.any(Number), lag: expect.any(Number), dead_letters: expect.any(Number) });
    });

    test('a customer gets a profile from the profiling worker', async () => {
      const c = (await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody({ kind: 'institution', metadata: { annual_revenue: 2_000_000 } }) })).body;
      const profile = await pollUntil('profile', async () => {
        const res = await s.api.call<ProfileResource>('GET', `/v1/customers/${c.id}/profile`);
        return res.status === 200 ? res.body : null;
      });
      expect(profile).toMatchObject({ customer_id: c.id, segment: 'gold' });
      expect(profile.segment_reasons).toContain('+40 kind is institution');
    });

    test('the audit trail names the actor and the request of each write, for admins', async () => {
      const res = await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody(), token: s.operator.token });
      const audit = await s.api.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${res.body.id}`);
      expect(audit.status).toBe(200);
      expect(audit.body.data).toEqual([expect.objectContaining({ action: 'customer.onboard', actor: s.operator.id, target_id: res.body.id, request_id: res.headers.get('x-request-id') })]);
    });
  });
}

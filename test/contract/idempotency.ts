import { describe, expect, test } from 'bun:test';
import type { Page } from '../../db/paging.ts';
import type { CustomerResource } from '../../src/customers/contract.ts';
import type { EventResource } from '../../src/events/contract.ts';
import { customerBody, expectProblem, tag } from './client.ts';
import type { Session } from './session.ts';

/** Idempotency-Key: a retry replays the first answer without a second effect; another body under the key is refused. */
export function idempotencyContract(s: Session) {
  const withEmail = async (email: string) => (await s.api.call<Page<CustomerResource>>('GET', `/v1/customers?email=${encodeURIComponent(email)}`)).body.data;

  describe('idempotency', () => {
    test('the same key and body replays the first response; one customer and one event exist', async () => {
      const key = `contract-${tag()}`;
      const body = customerBody();
      const first = await s.api.call<CustomerResource>('POST', '/v1/customers', { body, idempotencyKey: key });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotency-replayed')).toBeNull();
      const second = await s.api.call('POST', '/v1/customers', { body, idempotencyKey: key });
      expect(second.status).toBe(201);
      expect(second.text).toBe(first.text);
      expect(second.headers.get('idempotency-replayed')).toBe('true');
      expect((await withEmail(body.email)).map((c) => c.id)).toEqual([first.body.id]);
      const onboarded = await s.api.call<Page<EventResource>>('GET', `/v1/events?subject=${first.body.id}&type=customer.onboarded`);
      expect(onboarded.body.data).toHaveLength(1);
    });

    test('the same key with another body is a 422 problem and creates nothing', async () => {
      const key = `contract-${tag()}`;
      expect((await s.api.call('POST', '/v1/customers', { body: customerBody(), idempotencyKey: key })).status).toBe(201);
      const other = customerBody();
      expectProblem(await s.api.call('POST', '/v1/customers', { body: other, idempotencyKey: key }), 422, 'idempotency_mismatch');
      expect(await withEmail(other.email)).toEqual([]);
    });

    test('a retried transition replays its success instead of a 409', async () => {
      const c = (await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody() })).body;
      const key = `contract-${tag()}`;
      const first = await s.api.call('POST', `/v1/customers/${c.id}/activate`, { idempotencyKey: key });
      const retry = await s.api.call('POST', `/v1/customers/${c.id}/activate`, { idempotencyKey: key });
      expect([first.status, retry.status]).toEqual([200, 200]);
      expect(retry.text).toBe(first.text);
      expectProblem(await s.api.call('POST', `/v1/customers/${c.id}/activate`), 409, 'invalid_transition');
      const activated = await s.api.call<Page<EventResource>>('GET', `/v1/events?subject=${c.id}&type=customer.activated`);
      expect(activated.body.data).toHaveLength(1);
    });
  });
}

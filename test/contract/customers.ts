import { describe, expect, test } from 'bun:test';
import type { Page } from '../../db/paging.ts';
import type { CustomerResource, NotificationEntry } from '../../src/customers/contract.ts';
import type { TypedEventResource } from '../../src/events/contract.ts';
import type { UserResource } from '../../src/users/contract.ts';
import { customerBody, expectProblem, tag } from './client.ts';
import type { Session } from './session.ts';

/** Customers (lifecycle, list paging and search) and the users of a customer. */
export function customersContract(s: Session) {
  const onboard = async (overrides: Record<string, unknown> = {}) => {
    const res = await s.api.call<CustomerResource>('POST', '/v1/customers', { body: customerBody(overrides) });
    expect(res.status).toBe(201);
    return res.body;
  };
  const move = (id: string, transition: string) => s.api.call<CustomerResource>('POST', `/v1/customers/${id}/${transition}`);
  const eventTypes = async (id: string) =>
    (await s.api.call<Page<TypedEventResource>>('GET', `/v1/events?subject=${id}&limit=100`)).body.data.map((e) => e.type);

  describe('customers', () => {
    test('onboarding answers 201 with the resource, readable by id; an unknown id is a 404 problem', async () => {
      const c = await onboard({ country: 'fr', email: `  Billing-${tag()}@Contract.EXAMPLE ` });
      expect(c).toMatchObject({ object: 'customer', status: 'onboarded', segment: 'bronze', country: 'FR', version: 1, erased_at: null });
      expect(c.id).toMatch(/^cus_[0-9A-Z]{26}$/);
      expect(c.email).toMatch(/^billing-[0-9a-f]{10}@contract\.example$/);
      const got = await s.api.call('GET', `/v1/customers/${c.id}`);
      expect({ status: got.status, body: got.body }).toEqual({ status: 200, body: c });
      const missing = await s.api.call('GET', '/v1/customers/cus_00000000000000000000000000');
      expectProblem(missing, 404, 'not_found');
      expect(missing.body.instance).toBe('/v1/customers/cus_00000000000000000000000000');
    });

    test('PATCH changes the given fields and bumps the version', async () => {
      const c = await onboard();
      const res = await s.api.call<CustomerResource>('PATCH', `/v1/customers/${c.id}`, { body: { name: 'Renamed GmbH', tax_rate_bps: 1900 } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Renamed GmbH', tax_rate_bps: 1900, version: 2 });
      expect(await eventTypes(c.id)).toContain('customer.updated');
    });

    test('lifecycle: activate, promote, deactivate, activate, erase, each with its event; other moves are 409', async () => {
      const c = await onboard();
      expectProblem(await move(c.id, 'deactivate'), 409, 'invalid_transition');
      expect((await move(c.id, 'activate')).body).toMatchObject({ status: 'active', version: 2 });
      expectProblem(await move(c.id, 'activate'), 409, 'invalid_transition');
      // The profiling worker may promote the customer on activation too: promote moves it up from wherever it is.
      const promoted = await move(c.id, 'promote');
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ status: 'active', segment: expect.stringMatching(/^(silver|gold|platinum)$/) });
      expect((await move(c.id, 'deactivate')).body).toMatchObject({ status: 'deactivated' });
      expectProblem(await move(c.id, 'promote'), 409, 'invalid_transition');
      expect((await move(c.id, 'activate')).body).toMatchObject({ status: 'active' });
      const erased = await move(c.id, 'erase');
      expect(erased.status).toBe(200);
      expect(erased.body).toMatchObject({ status: 'erased', name: null, email: null });
      expectProblem(await move(c.id, 'activate'), 409, 'invalid_transition');
      expect(await eventTypes(c.id)).toEqual(expect.arrayContaining(['customer.onboarded', 'customer.activated', 'customer.promoted', 'customer.deactivated', 'customer.erased']));
      expectProblem(await move('cus_00000000000000000000000000', 'activate'), 404, 'not_found');
    });

    test('the list pages with a cursor, newest first, each customer once; q searches, status filters', async () => {
      const marker = tag();
      const created: string[] = [];
      for (let i = 0; i < 5; i++) created.push((await onboard({ name: `Pager ${marker} ${i}` })).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `q=${marker}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await s.api.call<Page<CustomerResource>>('GET', `/v1/customers?${query}`);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        expect(page.body.has_more).toBe(page.body.next_cursor !== null);
        seen.push(...page.body.data.map((c) => c.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual([...created].reverse());

      await move(created[0]!, 'activate');
      const active = await s.api.call<Page<CustomerResource>>('GET', `/v1/customers?q=${marker}&status=active`);
      expect(active.body.data.map((c) => c.id)).toEqual([created[0]!]);
    });

    test('notifications of a customer list what was sent to it', async () => {
      const c = await onboard();
      const res = await s.api.call<Page<NotificationEntry>>('GET', `/v1/customers/${c.id}/notifications`);
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.data)).toBe(true);
    });
  });

  describe('users of a customer', () => {
    test('onboarding makes the contact the owner; a user is invited, activated, re-roled and removed', async () => {
      const c = await onboard();
      const users = await s.api.call<Page<UserResource>>('GET', `/v1/customers/${c.id}/users`);
      expect(users.body.data).toEqual([expect.objectContaining({ email: c.email, role: 'owner', status: 'active' })]);

      const email = `member-${tag()}@contract.example`;
      const added = await s.api.call<UserResource>('POST', `/v1/customers/${c.id}/users`, { body: { email, name: 'Ivy Member', role: 'member' } });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ object: 'user', customer_id: c.id, email, role: 'member', status: 'invited' });
      const u = added.body.id;
      expectProblem(await s.api.call('POST', `/v1/customers/${c.id}/users`, { body: { email, role: 'member' } }), 409, 'conflict');

      expect((await s.api.call<UserResource>('POST', `/v1/customers/${c.id}/users/${u}/activate`)).body).toMatchObject({ status: 'active' });
      expect((await s.api.call<UserResource>('PATCH', `/v1/customers/${c.id}/users/${u}`, { body: { role: 'admin' } })).body).toMatchObject({ role: 'admin' });
      expect((await s.api.call<UserResource>('GET', `/v1/customers/${c.id}/users/${u}`)).body).toMatchObject({ role: 'admin', status: 'active' });
      const removed = await s.api.call<UserResource>('DELETE', `/v1/customers/${c.id}/users/${u}`);
      expect(removed.status).toBe(200);
      expect((await s.api.call<Page<UserResource>>('GET', `/v1/customers/${c.id}/users`)).body.data.map((x) => x.id)).not.toContain(u);

      const owner = users.body.data[0]!.id;
      expectProblem(await s.api.call('DELETE', `/v1/customers/${c.id}/users/${owner}`), 409, 'conflict');
      expect(await eventTypes(c.id)).toEqual(expect.arrayContaining(['user.created', 'user.invited', 'user.role_changed', 'user.removed']));
    });
  });
}

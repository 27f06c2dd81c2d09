import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, customerInput, type ApiResponse, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventType } from '../src/events/catalog.ts';
import type { EventResource, TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { ErrorCode } from '../src/kernel/errors.ts';
import type { UserResource } from '../src/users/contract.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const emailOf = (who: string) => `${who}-${tag()}@people.example`;

async function onboard() {
  const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  expect(res.status).toBe(201);
  return res.body;
}

async function usersOf(customerId: string): Promise<UserResource[]> {
  const res = await p.call<Page<UserResource>>('GET', `/v1/customers/${customerId}/users?limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function add<T = UserResource>(customerId: string, body: Record<string, unknown>) {
  return p.call<T>('POST', `/v1/customers/${customerId}/users`, { body });
}

async function addOk(customerId: string, body: Record<string, unknown>): Promise<UserResource> {
  const res = await add(customerId, body);
  expect(res.status).toBe(201);
  return res.body;
}

const setRole = <T = UserResource>(customerId: string, userId: string, role: string) => p.call<T>('PATCH', `/v1/customers/${customerId}/users/${userId}`, { body: { role } });
const remove = <T = UserResource>(customerId: string, userId: string) => p.call<T>('DELETE', `/v1/customers/${customerId}/users/${userId}`);

async function eventsOf<T extends EventType>(customerId: string, type: T) {
  const res = await p.call<Page<TypedEventResource<T>>>('GET', `/v1/events?subject=${customerId}&type=${type}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

function expectProblem(res: ApiResponse, status: number, code: ErrorCode): asserts res is ApiResponse<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect(res.body).toMatchObject({ status, code });
}

async function ownerOf(customerId: string): Promise<UserResource> {
  const owners = (await usersOf(customerId)).filter((u) => u.role === 'owner');
  expect(owners).toHaveLength(1);
  return owners[0]!;
}

describe('users of a customer', () => {
  test('onboarding creates exactly one owner user: the contact, active', async () => {
    const c = await onboard();
    const users = await usersOf(c.id);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ object: 'user', customer_id: c.id, email: c.email, name: c.name, role: 'owner', status: 'active' });
    expect(users[0]!.id).toMatch(/^usr_[0-9A-Z]{26}$/);
    const created = await eventsOf(c.id, 'user.created');
    expect(created.map((e) => e.data.user.id)).toEqual([users[0]!.id]);
  });

  test('adding a user invites by default: status invited and a user.invited event', async () => {
    const c = await onboard();
    const email = emailOf('invitee');
    const user = await addOk(c.id, { email: email.toUpperCase(), name: 'Ivy Invitee', role: 'member' });
    expect(user).toMatchObject({ object: 'user', customer_id: c.id, email, name: 'Ivy Invitee', role: 'member', status: 'invited' });

    const invited = await eventsOf(c.id, 'user.invited');
    expect(invited).toHaveLength(1);
    expect(invited[0]!.data.user).toMatchObject({ id: user.id, email, role: 'member', status: 'invited' });
    expect((await eventsOf(c.id, 'user.created')).map((e) => e.data.user.id)).not.toContain(user.id);
    expect((await usersOf(c.id)).map((u) => u.id)).toContain(user.id);
  });

  test('invite: false creates an active user and a user.created event', async () => {
    const c = await onboard();
    const user = await addOk(c.id, { email: emailOf('direct'), role: 'admin', invite: false });
    expect(user).toMatchObject({ role: 'admin', status: 'active', name: null });
    const created = await eventsOf(c.id, 'user.created');
    expect(created.map((e) => e.data.user.id)).toContain(user.id);
    expect(await eventsOf(c.id, 'user.invited')).toHaveLength(0);
  });

  test('the same email twice in one customer is a 409; in another customer it is fine', async () => {
    const c = await onboard();
    const other = await onboard();
    const email = emailOf('twice');
    await addOk(c.id, { email, role: 'member' });
    const dup = await add(c.id, { email: email.toUpperCase(), role: 'admin' });
    expectProblem(dup, 409, 'conflict');
    expect(await usersOf(c.id)).toHaveLength(2);
    // The contact's email is taken by the owner too.
    expectProblem(await add(c.id, { email: c.email, role: 'member' }), 409, 'conflict');

    expect((await add(other.id, { email, role: 'member' })).status).toBe(201);
  });

  test('bad input is a 400 naming the field; an unknown customer is a 404', async () => {
    const c = await onboard();
    const badRole = await add<Problem>(c.id, { email: emailOf('x'), role: 'superuser' });
    expectProblem(badRole, 400, 'validation');
    expect(badRole.body.errors!.map((e) => e.field)).toContain('role');
    const badEmail = await add<Problem>(c.id, { email: 'nope', role: 'member' });
    expectProblem(badEmail, 400, 'validation');
    expect(badEmail.body.errors!.map((e) => e.field)).toContain('email');
    expectProblem(await add('cus_00000000000000000000000000', { email: emailOf('x'), role: 'member' }), 404, 'not_found');
    expectProblem(await setRole(c.id, 'usr_00000000000000000000000000', 'admin'), 404, 'not_found');
  });

  test("changing a role answers the user and emits user.role_changed with from and to", async () => {
    const c = await onboard();
    const user = await addOk(c.id, { email: emailOf('climber'), role: 'member' });
    const res = await setRole(c.id, user.id, 'admin');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, role: 'admin' });
    expect((await usersOf(c.id)).find((u) => u.id === user.id)!.role).toBe('admin');
    const changed = await eventsOf(c.id, 'user.role_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.data).toMatchObject({ from: 'member', to: 'admin', user: { id: user.id, role: 'admin' } });
  });

  test('a user of one customer cannot be changed through another customer', async () => {
    const a = await onboard();
    const b = await onboard();
    const user = await addOk(a.id, { email: emailOf('tenant'), role: 'member' });
    expectProblem(await setRole(b.id, user.id, 'admin'), 404, 'not_found');
    expectProblem(await remove(b.id, user.id), 404, 'not_found');
    expect((await usersOf(a.id)).find((u) => u.id === user.id)).toMatchObject({ role: 'member', status: 'invited' });
  });

  test('the last owner can be neither demoted nor removed (409)', async () => {
    const c = await onboard();
    const owner = await ownerOf(c.id);
    await addOk(c.id, { email: emailOf('helper'), role: 'admin' });

    const demote = await setRole(c.id, owner.id, 'admin');
    expectProblem(demote, 409, 'conflict');
    const removal = await remove(c.id, owner.id);
    expectProblem(removal, 409, 'conflict');

    expect(await ownerOf(c.id)).toMatchObject({ id: owner.id, status: 'active' });
    expect(await eventsOf(c.id, 'user.role_changed')).toHaveLength(0);
    expect(await eventsOf(c.id, 'user.removed')).toHaveLength(0);
  });

  test('once another user is owner, the first owner can be demoted and then removed', async () => {
    const c = await onboard();
    const first = await ownerOf(c.id);
    const second = await addOk(c.id, { email: emailOf('heir'), role: 'member', invite: false });
    expect((await setRole(c.id, second.id, 'owner')).status).toBe(200);

    const demoted = await setRole(c.id, first.id, 'member');
    expect(demoted.status).toBe(200);
    expect(demoted.body.role).toBe('member');
    expect(await ownerOf(c.id)).toMatchObject({ id: second.id });
    // Now the second is the last owner.
    expectProblem(await setRole(c.id, second.id, 'admin'), 409, 'conflict');
  });

  test('two owners: removing one is fine, the remaining one is protected', async () => {
    const c = await onboard();
    const first = await ownerOf(c.id);
    const second = await addOk(c.id, { email: emailOf('co-owner'), role: 'owner', invite: false });
    expect((await remove(c.id, first.id)).status).toBe(200);
    expectProblem(await remove(c.id, second.id), 409, 'conflict');
  });

  test('an invited owner who has not accepted does not count as the one owner', async () => {
    const c = await onboard();
    const first = await ownerOf(c.id);
    await addOk(c.id, { email: emailOf('pending-owner'), role: 'owner' });
    expectProblem(await remove(c.id, first.id), 409, 'conflict');
    expectProblem(await setRole(c.id, first.id, 'member'), 409, 'conflict');
  });

  test('removing a user answers it as removed, emits user.removed and drops it from the list', async () => {
    const c = await onboard();
    const user = await addOk(c.id, { email: emailOf('leaver'), name: 'Lee Leaver', role: 'member' });
    const res = await remove(c.id, user.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, status: 'removed' });

    const removed = await eventsOf(c.id, 'user.removed');
    expect(removed).toHaveLength(1);
    expect(removed[0]!.data.user).toMatchObject({ id: user.id, status: 'removed' });
    expect((await usersOf(c.id)).map((u) => u.id)).not.toContain(user.id);

    expectProblem(await remove(c.id, user.id), 404, 'not_found');
    expectProblem(await setRole(c.id, user.id, 'admin'), 404, 'not_found');
    // The address is free again.
    expect((await add(c.id, { email: user.email, role: 'member' })).status).toBe(201);
  });

  test('users of an erased customer cannot be added, changed or removed (409)', async () => {
    const c = await onboard();
    const owner = await ownerOf(c.id);
    const member = await addOk(c.id, { email: emailOf('stuck'), role: 'member' });
    expect((await p.call('POST', `/v1/customers/${c.id}/erase`)).status).toBe(200);
    const eventCount = (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${c.id}&limit=100`)).body.data.length;

    expectProblem(await add(c.id, { email: emailOf('late'), role: 'member' }), 409, 'invalid_transition');
    expectProblem(await setRole(c.id, member.id, 'admin'), 409, 'invalid_transition');
    expectProblem(await setRole(c.id, owner.id, 'member'), 409, 'invalid_transition');
    expectProblem(await remove(c.id, member.id), 409, 'invalid_transition');

    expect((await p.call<Page<EventResource>>('GET', `/v1/events?subject=${c.id}&limit=100`)).body.data).toHaveLength(eventCount);
  });

  test('the users list pages with a cursor', async () => {
    const c = await onboard();
    for (let i = 0; i < 4; i++) await addOk(c.id, { email: emailOf(`page${i}`), role: 'member' });
    const all = (await usersOf(c.id)).map((u) => u.id);
    expect(all).toHaveLength(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse<Page<UserResource>> = await p.call('GET', `/v1/customers/${c.id}/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((u) => u.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });
});

describe('user status (activate, deactivate)', () => {
  const activate = <T = UserResource>(customerId: string, userId: string, headers?: Record<string, string>) =>
    p.call<T>('POST', `/v1/customers/${customerId}/users/${userId}/activate`, headers ? { headers } : {});
  const deactivate = <T = UserResource>(customerId: string, userId: string) => p.call<T>('POST', `/v1/customers/${customerId}/users/${userId}/deactivate`);
  const getUser = (customerId: string, userId: string) => p.call<UserResource>('GET', `/v1/customers/${customerId}/users/${userId}`);
  const auditOf = async (userId: string) => {
    const res = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${userId}&limit=100`);
    expect(res.status).toBe(200);
    return res.body.data.map((a) => a.action);
  };

  test('invited users can become active: invited → active → deactivated → active, with events and audit rows', async () => {
    const c = await onboard();
    const user = await addOk(c.id, { email: emailOf('joiner'), name: 'Jo Joiner', role: 'member' });
    expect((await getUser(c.id, user.id)).body).toMatchObject({ id: user.id, status: 'invited' });

    const activated = await activate(c.id, user.id);
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ object: 'user', id: user.id, status: 'active', role: 'member' });
    expect((await getUser(c.id, user.id)).body.status).toBe('active');

    const deactivated = await deactivate(c.id, user.id);
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ id: user.id, status: 'deactivated' });
    expect((await usersOf(c.id)).find((u) => u.id === user.id)!.status).toBe('deactivated');

    expect((await activate(c.id, user.id)).body).toMatchObject({ id: user.id, status: 'active' });

    const activations = await eventsOf(c.id, 'user.activated');
    expect(activations.map((e) => [e.data.user.id, e.data.user.status, e.data.previous_status])).toEqual([
      [user.id, 'active', 'invited'],
      [user.id, 'active', 'deactivated'],
    ]);
    const deactivations = await eventsOf(c.id, 'user.deactivated');
    expect(deactivations.map((e) => [e.data.user.id, e.data.user.status, e.data.previous_status])).toEqual([[user.id, 'deactivated', 'active']]);
    expect((await auditOf(user.id)).sort()).toEqual(['user.activate', 'user.activate', 'user.deactivate', 'user.invite']);
  });

  test('illegal user transitions are 409 invalid_transition and change nothing; removed is final', async () => {
    const c = await onboard();
    const invited = await addOk(c.id, { email: emailOf('pending'), role: 'member' });
    const active = await addOk(c.id, { email: emailOf('busy'), role: 'member', invite: false });
    const gone = await addOk(c.id, { email: emailOf('gone'), role: 'member', invite: false });
    expect((await remove(c.id, gone.id)).status).toBe(200);
    const before = (await p.call<Page<EventResource>>('GET', `/v1/events?subject=${c.id}&limit=100`)).body.data.length;

    const refusals: [Promise<ApiResponse>, string, string][] = [
      [deactivate(c.id, invited.id), 'invited', 'deactivate'],
      [activate(c.id, active.id), 'active', 'activate'],
      [activate(c.id, gone.id), 'removed', 'activate'],
      [deactivate(c.id, gone.id), 'removed', 'deactivate'],
    ];
    for (const [call, status, transition] of refusals) {
      const res = await call;
      expectProblem(res, 409, 'invalid_transition');
      expect(res.body).toMatchObject({ current_status: status, transition });
    }
    expect((await getUser(c.id, invited.id)).body.status).toBe('invited');
    expect((await getUser(c.id, active.id)).body.status).toBe('active');
    expect((await getUser(c.id, gone.id)).body.status).toBe('removed');
    expect((await p.call<Page<EventResource>>('GET', `/v1/events?subject=${c.id}&limit=100`)).body.data).toHaveLength(before);

    expectProblem(await activate(c.id, 'usr_00000000000000000000000000'), 404, 'not_found');
    const other = await onboard();
    expectProblem(await activate(other.id, invited.id), 404, 'not_found');
    expectProblem(await getUser(other.id, invited.id), 404, 'not_found');
  });

  test('a retried activate with the same Idempotency-Key replays the first answer', async () => {
    const c = await onboard();
    const user = await addOk(c.id, { email: emailOf('retry'), role: 'admin' });
    const headers = { 'Idempotency-Key': `activate-${user.id}` };
    const first = await activate(c.id, user.id, headers);
    const retry = await activate(c.id, user.id, headers);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await eventsOf(c.id, 'user.activated')).toHaveLength(1);
  });

  test('the last active owner cannot be deactivated (409); an invited owner does not count', async () => {
    const c = await onboard();
    const owner = await ownerOf(c.id);
    const pending = await addOk(c.id, { email: emailOf('pending-owner'), role: 'owner' });

    expectProblem(await deactivate(c.id, owner.id), 409, 'conflict');
    expect((await getUser(c.id, owner.id)).body.status).toBe('active');

    // Once the invited owner accepts, the first owner may go.
    expect((await activate(c.id, pending.id)).status).toBe(200);
    expect((await deactivate(c.id, owner.id)).body.status).toBe('deactivated');
    expectProblem(await deactivate(c.id, pending.id), 409, 'conflict');
  });

  test('a deactivated owner does not count as the one owner for removal or demotion', async () => {
    const c = await onboard();
    const first = await ownerOf(c.id);
    const second = await addOk(c.id, { email: emailOf('co-owner'), role: 'owner', invite: false });
    expect((await deactivate(c.id, first.id)).status).toBe(200);

    expectProblem(await remove(c.id, second.id), 409, 'conflict');
    expectProblem(await setRole(c.id, second.id, 'member'), 409, 'conflict');
    expect((await getUser(c.id, second.id)).body).toMatchObject({ role: 'owner', status: 'active' });

    // The deactivated owner is not the one keeping the customer owned, so it can go.
    expect((await setRole(c.id, first.id, 'member')).status).toBe(200);
    expect((await remove(c.id, first.id)).status).toBe(200);
  });

  test('user transitions of an erased customer are 409 invalid_transition', async () => {
    const c = await onboard();
    const member = await addOk(c.id, { email: emailOf('frozen'), role: 'member' });
    expect((await p.call('POST', `/v1/customers/${c.id}/erase`)).status).toBe(200);
    expectProblem(await activate(c.id, member.id), 409, 'invalid_transition');
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const emailOf = (who: string) => `${who}-${tag()}@people.example`;

interface User {
  id: string;
  customer_id: string;
  email: string | null;
  name: string | null;
  role: string;
  status: string;
}

async function onboard() {
  const res = await p.call('POST', '/v1/customers', { body: customerInput() });
  expect(res.status).toBe(201);
  return res.body as { id: string; email: string; name: string };
}

async function usersOf(customerId: string): Promise<User[]> {
  const res = await p.call('GET', `/v1/customers/${customerId}/users?limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function add(customerId: string, body: Record<string, unknown>) {
  return p.call('POST', `/v1/customers/${customerId}/users`, { body });
}

async function addOk(customerId: string, body: Record<string, unknown>): Promise<User> {
  const res = await add(customerId, body);
  expect(res.status).toBe(201);
  return res.body;
}

const setRole = (customerId: string, userId: string, role: string) => p.call('PATCH', `/v1/customers/${customerId}/users/${userId}`, { body: { role } });
const remove = (customerId: string, userId: string) => p.call('DELETE', `/v1/customers/${customerId}/users/${userId}`);

async function eventsOf(customerId: string, type: string) {
  const res = await p.call('GET', `/v1/events?subject=${customerId}&type=${type}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data as { type: string; data: { user: User; from?: string; to?: string } }[];
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect(res.body).toMatchObject({ status, code });
}

async function ownerOf(customerId: string): Promise<User> {
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
    const badRole = await add(c.id, { email: emailOf('x'), role: 'superuser' });
    expectProblem(badRole, 400, 'validation');
    expect(badRole.body.errors.map((e: { field: string }) => e.field)).toContain('role');
    const badEmail = await add(c.id, { email: 'nope', role: 'member' });
    expectProblem(badEmail, 400, 'validation');
    expect(badEmail.body.errors.map((e: { field: string }) => e.field)).toContain('email');
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
    const eventCount = (await p.call('GET', `/v1/events?subject=${c.id}&limit=100`)).body.data.length;

    expectProblem(await add(c.id, { email: emailOf('late'), role: 'member' }), 409, 'invalid_transition');
    expectProblem(await setRole(c.id, member.id, 'admin'), 409, 'invalid_transition');
    expectProblem(await setRole(c.id, owner.id, 'member'), 409, 'invalid_transition');
    expectProblem(await remove(c.id, member.id), 409, 'invalid_transition');

    expect((await p.call('GET', `/v1/events?subject=${c.id}&limit=100`)).body.data).toHaveLength(eventCount);
  });

  test('the users list pages with a cursor', async () => {
    const c = await onboard();
    for (let i = 0; i < 4; i++) await addOk(c.id, { email: emailOf(`page${i}`), role: 'member' });
    const all = (await usersOf(c.id)).map((u) => u.id);
    expect(all).toHaveLength(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await p.call('GET', `/v1/customers/${c.id}/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((u: User) => u.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });
});

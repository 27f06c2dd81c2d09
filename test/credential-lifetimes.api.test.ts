import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import type { Page } from '../db/paging.ts';
import { users, type ApiKeyScope } from '../db/schema/index.ts';
import type { ApiKeyResource, CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { hashPassword } from '../src/kernel/password.ts';
import type { OperatorResource } from '../src/operators/contract.ts';
import type { UserResource } from '../src/users/contract.ts';
import type { WebhookWithSecret } from '../src/webhooks/contract.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

const clock = manualClock(Date.UTC(2026, 5, 1, 9));
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
});
afterAll(() => p.close());

const PASSWORD = 'a-long-enough-passphrase';
let n = 0;

async function newCustomer() {
  const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A key made with `token` (an operator's, a user's or another key's); expects 201. */
async function mint(token: string | undefined, body: { scopes: ApiKeyScope[]; customer_id?: string; expires_at?: string }) {
  const res = await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { token, body: { name: `key ${++n}`, ...body } });
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
  return res.body;
}

/** An active user of the customer with this role, signed in to the portal: its id and bearer token. */
async function signedInUser(customerId: string, role: 'owner' | 'admin' | 'member') {
  const email = `person${++n}-${Date.now()}@credentials.example`;
  const added = await p.call<UserResource>('POST', `/v1/customers/${customerId}/users`, { body: { email, name: `Person ${n}`, role, invite: false } });
  expect(added.status).toBe(201);
  await p.deps.db.update(users).set({ passwordHash: await hashPassword(PASSWORD, 100_000) }).where(eq(users.id, added.body.id));
  const login = await p.call<{ token: string }>('POST', '/v1/portal/login', { token: null, body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return { id: added.body.id, token: login.body.token };
}

const status = async (method: string, path: string, token: string, body?: unknown) => (await p.call(method, path, { token, body })).status;

describe('erasing a customer ends every credential it had', () => {
  test("its API keys can no longer read, mint keys or open top-up invoices; they are revoked, its users' tokens end and its webhook endpoints go", async () => {
    const customerId = await newCustomer();
    const byOperator = await mint(undefined, { scopes: ['customers:read', 'keys:write', 'wallet:write'], customer_id: customerId });
    const owner = await signedInUser(customerId, 'owner');
    const byUser = await mint(owner.token, { scopes: ['customers:read', 'keys:write'] });
    const platformWide = await mint(undefined, { scopes: ['customers:read'] });
    const webhook = await p.call<WebhookWithSecret>('POST', `/v1/customers/${customerId}/webhooks`, { body: { url: 'https://hooks.credentials.example/in', event_types: ['*'] } });
    expect(webhook.status).toBe(201);
    expect(await status('GET', `/v1/customers/${customerId}`, byOperator.key)).toBe(200);
    expect(await status('GET', `/v1/customers/${customerId}`, owner.token)).toBe(200);

    expect((await p.call('POST', `/v1/customers/${customerId}/erase`)).status).toBe(200);

    for (const key of [byOperator, byUser]) {
      const read = await p.call<Problem>('GET', `/v1/customers/${customerId}`, { token: key.key });
      expect([read.status, read.body.detail]).toEqual([401, 'this API key was revoked']);
      expect(await status('POST', '/v1/api-keys', key.key, { name: 'after erasure', scopes: ['customers:read'] })).toBe(401);
      expect(await status('POST', `/v1/customers/${customerId}/wallet/top-ups`, key.key, { amount: 1000, currency: 'EUR' })).toBe(401);
      expect((await p.call<ApiKeyResource>('GET', `/v1/api-keys/${key.id}`)).body).toMatchObject({ status: 'revoked', revoked_at: new Date(clock.now()).toISOString() });
      const events = await p.call<Page<TypedEventResource>>('GET', `/v1/events?subject=${key.id}`);
      expect(events.body.data.map((e) => e.type).sort()).toEqual(['api_key.created', 'api_key.revoked']);
    }
    expect(await status('GET', '/v1/portal/me', owner.token)).toBe(401);
    expect(await status('GET', `/v1/customers/${customerId}`, owner.token)).toBe(401);
    expect(await status('GET', `/v1/customers/${customerId}/webhooks/${webhook.body.id}`, platformWide.key)).toBe(404);
    // A platform-wide key belongs to no customer: it goes on.
    expect(await status('GET', `/v1/customers/${customerId}`, platformWide.key)).toBe(200);
  });
});

describe('a key never holds more than its creator holds now', () => {
  test("a customer admin's key loses its write scopes when the admin is demoted to member, and works again within the new role", async () => {
    const customerId = await newCustomer();
    const admin = await signedInUser(customerId, 'admin');
    const key = await mint(admin.token, { scopes: ['customers:read', 'customers:write'] });
    expect(await status('PATCH', `/v1/customers/${customerId}`, key.key, { name: 'Renamed by key' })).toBe(200);

    expect((await p.call('PATCH', `/v1/customers/${customerId}/users/${admin.id}`, { body: { role: 'member' } })).status).toBe(200);
    const write = await p.call<Problem>('PATCH', `/v1/customers/${customerId}`, { token: key.key, body: { name: 'Not any more' } });
    expect([write.status, write.body.scope]).toEqual([403, 'customers:write']);
    expect(await status('GET', `/v1/customers/${customerId}`, key.key)).toBe(200);

    expect((await p.call('PATCH', `/v1/customers/${customerId}/users/${admin.id}`, { body: { role: 'admin' } })).status).toBe(200);
    expect(await status('PATCH', `/v1/customers/${customerId}`, key.key, { name: 'Admin again' })).toBe(200);
  });

  test("a deactivated user's keys are refused until the user is active again; a removed user's for good", async () => {
    const customerId = await newCustomer();
    const deactivated = await signedInUser(customerId, 'admin');
    const removed = await signedInUser(customerId, 'admin');
    const first = await mint(deactivated.token, { scopes: ['customers:read'] });
    const second = await mint(removed.token, { scopes: ['customers:read'] });

    expect((await p.call('POST', `/v1/customers/${customerId}/users/${deactivated.id}/deactivate`)).status).toBe(200);
    const refused = await p.call<Problem>('GET', `/v1/customers/${customerId}`, { token: first.key });
    expect([refused.status, refused.body.detail]).toEqual([401, 'the creator of this API key no longer has access']);
    expect((await p.call('POST', `/v1/customers/${customerId}/users/${deactivated.id}/activate`)).status).toBe(200);
    expect(await status('GET', `/v1/customers/${customerId}`, first.key)).toBe(200);

    expect(await status('GET', `/v1/customers/${customerId}`, second.key)).toBe(200);
    expect((await p.call('DELETE', `/v1/customers/${customerId}/users/${removed.id}`)).status).toBe(200);
    expect(await status('GET', `/v1/customers/${customerId}`, second.key)).toBe(401);
  });

  test("a disabled operator's platform key is refused; an operator demoted to viewer keeps only the read scopes", async () => {
    const customerId = await newCustomer();
    const makeOperator = async () => {
      const res = await p.call<OperatorResource>('POST', '/v1/operators', { body: { email: `op${++n}-${Date.now()}@ops.example`, name: `Operator ${n}`, role: 'operator', password: 'a-long-enough-password' } });
      expect(res.status).toBe(201);
      const login = await p.call<{ token: string }>('POST', '/v1/auth/login', { token: null, body: { email: res.body.email, password: 'a-long-enough-password' } });
      expect(login.status).toBe(200);
      return { id: res.body.id, token: login.body.token };
    };
    const leaving = await makeOperator();
    const platformKey = await mint(leaving.token, { scopes: ['customers:read', 'customers:write'] });
    expect(await status('GET', '/v1/customers', platformKey.key)).toBe(200);
    expect((await p.call('PATCH', `/v1/operators/${leaving.id}`, { body: { disabled: true } })).status).toBe(200);
    const refused = await p.call<Problem>('GET', '/v1/customers', { token: platformKey.key });
    expect([refused.status, refused.body.detail]).toEqual([401, 'the creator of this API key no longer has access']);

    const demoted = await makeOperator();
    const key = await mint(demoted.token, { scopes: ['customers:read', 'customers:write'], customer_id: customerId });
    expect((await p.call('PATCH', `/v1/operators/${demoted.id}`, { body: { role: 'viewer' } })).status).toBe(200);
    expect(await status('GET', `/v1/customers/${customerId}`, key.key)).toBe(200);
    expect(await status('PATCH', `/v1/customers/${customerId}`, key.key, { name: 'Viewer cannot' })).toBe(403);
  });

  test('a key made by a key holds at most what its parent holds now: revoking the parent ends the child', async () => {
    const parent = await mint(undefined, { scopes: ['customers:read', 'keys:write'] });
    const child = await mint(parent.key, { scopes: ['customers:read'] });
    expect(await status('GET', '/v1/customers', child.key)).toBe(200);
    expect((await p.call('POST', `/v1/api-keys/${parent.id}/revoke`)).status).toBe(200);
    const refused = await p.call<Problem>('GET', '/v1/customers', { token: child.key });
    expect([refused.status, refused.body.detail]).toEqual([401, 'the creator of this API key no longer has access']);
  });
});

describe('a key made by a key never outlives it', () => {
  test('without expires_at the child expires with its parent; a later expires_at is 400 naming it; an earlier one is kept', async () => {
    const parentExpiry = clock.now() + 8_000;
    const parent = await mint(undefined, { scopes: ['customers:read', 'keys:write'], expires_at: new Date(parentExpiry).toISOString() });
    const child = await mint(parent.key, { scopes: ['customers:read', 'keys:write'] });
    expect(child.expires_at).toBe(new Date(parentExpiry).toISOString());
    const grandchild = await mint(child.key, { scopes: ['customers:read'] });
    expect(grandchild.expires_at).toBe(new Date(parentExpiry).toISOString());

    const later = await p.call<Problem>('POST', '/v1/api-keys', { token: parent.key, body: { name: 'later', scopes: ['customers:read'], expires_at: new Date(parentExpiry + 3_600_000).toISOString() } });
    expect(later.status).toBe(400);
    expect(later.body.errors).toEqual([{ field: 'expires_at', message: `must not be later than the expiry of the key creating it (${new Date(parentExpiry).toISOString()})` }]);
    const earlier = await mint(parent.key, { scopes: ['customers:read'], expires_at: new Date(parentExpiry - 4_000).toISOString() });
    expect(earlier.expires_at).toBe(new Date(parentExpiry - 4_000).toISOString());

    expect(await status('GET', '/v1/customers', child.key)).toBe(200);
    clock.advance(8_000);
    for (const key of [parent, child, grandchild]) expect(await status('GET', '/v1/customers', key.key)).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import type { Page } from '../db/paging.ts';
import { apiKeys, type ApiKeyScope } from '../db/schema/index.ts';
import type { ApiKeyResource, CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { UsageBatchResource, UsagePeriodResource } from '../src/usage/contract.ts';
import { createTestPlatform, customerInput, type TestPlatform } from './harness.ts';

const START = Date.UTC(2026, 3, 1);
const clock = manualClock(START);
let p: TestPlatform;
let customerId: string;
let subscriptionId: string;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
  const plan = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: 'keys-plan', name: 'Metered', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 1000, overage_price_per_1k: 100, quota_policy: 'overage' } });
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  customerId = customer.body.id;
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customerId, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  subscriptionId = sub.body.id;
});
afterAll(() => p.close());

async function createKey(body: { name?: string; scopes: ApiKeyScope[]; customer_id?: string; expires_at?: string }) {
  const res = await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'gateway', ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

const record = (overrides: Record<string, unknown> = {}) => ({ id: `rec-${crypto.randomUUID()}`, customer_id: customerId, model: 'gpt-test', tokens: 300, occurred_at: new Date(clock.now()).toISOString(), ...overrides });

describe('API keys for programs', () => {
  test('a key is shown once as sk_live_<id>_<secret>; only a hash of the secret is stored, and lists and reads never show it', async () => {
    const created = await createKey({ scopes: ['usage:write'], customer_id: customerId });
    expect(created.key).toMatch(/^sk_live_key_[0-9A-Z]{26}_[0-9a-f]{64}$/);
    expect(created).toMatchObject({ object: 'api_key', customer_id: customerId, scopes: ['usage:write'], status: 'active', prefix: `sk_live_${created.id}_`, last_used_at: null });
    const secret = created.key.slice(created.prefix.length);

    const [row] = await p.deps.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secret);

    const list = await p.call<Page<ApiKeyResource>>('GET', `/v1/api-keys?customer_id=${customerId}`);
    const read = await p.call<ApiKeyResource>('GET', `/v1/api-keys/${created.id}`);
    expect(list.body.data.map((k) => k.id)).toContain(created.id);
    for (const body of [list.body, read.body]) {
      expect(JSON.stringify(body)).not.toContain(secret);
      expect(JSON.stringify(body)).not.toContain('"key"');
    }
    const events = await p.call<Page<TypedEventResource>>('GET', `/v1/events?subject=${created.id}`);
    expect(events.body.data.map((e) => e.type)).toEqual(['api_key.created']);
    expect(JSON.stringify(events.body)).not.toContain(secret);
  });

  test('an AI gateway posts usage with a customer key (usage:write); a retry with its Idempotency-Key replays, and another key has its own keys', async () => {
    const gateway = await createKey({ scopes: ['usage:write', 'usage:read'], customer_id: customerId });
    const other = await createKey({ scopes: ['usage:write'], customer_id: customerId });
    const body = { records: [record()] };
    const first = await p.call<UsageBatchResource>('POST', '/v1/usage', { token: gateway.key, body, headers: { 'Idempotency-Key': 'batch-1' } });
    expect(first.status).toBe(200);
    expect(first.body.results.map((r) => r.status)).toEqual(['accepted']);
    const retry = await p.call<UsageBatchResource>('POST', '/v1/usage', { token: gateway.key, body, headers: { 'Idempotency-Key': 'batch-1' } });
    expect(retry.headers.get('Idempotency-Replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    // The same Idempotency-Key under another principal is its own request: the record is a duplicate, not a replay.
    const byOther = await p.call<UsageBatchResource>('POST', '/v1/usage', { token: other.key, body, headers: { 'Idempotency-Key': 'batch-1' } });
    expect(byOther.headers.get('Idempotency-Replayed')).toBeNull();
    expect(byOther.body.results.map((r) => r.status)).toEqual(['duplicate']);

    const used = await p.call<UsagePeriodResource>('GET', `/v1/subscriptions/${subscriptionId}/usage`, { token: gateway.key });
    expect(used.status).toBe(200);
    expect(used.body.used_tokens).toBeGreaterThanOrEqual(300);
  });

  test('scopes are enforced: a key without usage:write gets 403 naming the scope; a route no key may call is 404', async () => {
    const reader = await createKey({ scopes: ['usage:read', 'customers:read'], customer_id: customerId });
    const res = await p.call<Problem>('POST', '/v1/usage', { token: reader.key, body: { records: [record()] } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'forbidden', scope: 'usage:write' });
    expect(res.body.detail).toContain('usage:write');

    for (const path of ['/v1/operators', '/v1/audit', '/v1/auth/me', '/v1/plans']) {
      const refused = await p.call<Problem>('GET', path, { token: reader.key });
      expect({ path, status: refused.status, code: refused.body.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    // Keys themselves are a scope: a key without keys:read may not list them.
    {
      const refused = await p.call<Problem>('GET', '/v1/api-keys', { token: reader.key });
      expect({ status: refused.status, code: refused.body.code, scope: refused.body.scope }).toEqual({ status: 403, code: 'forbidden', scope: 'keys:read' });
    }
    expect((await p.call('GET', `/v1/customers/${customerId}`, { token: reader.key })).status).toBe(200);
  });

  test('a platform-wide key reaches every customer within its scopes', async () => {
    const platform = await createKey({ scopes: ['customers:read', 'customers:write'] });
    expect(platform.customer_id).toBeNull();
    const list = await p.call<Page<CustomerResource>>('GET', '/v1/customers', { token: platform.key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((c) => c.id)).toContain(customerId);
    const onboarded = await p.call<CustomerResource>('POST', '/v1/customers', { token: platform.key, body: customerInput() });
    expect(onboarded.status).toBe(201);
    const audit = await p.call<Page<{ actor: string; action: string }>>('GET', `/v1/audit?target_id=${onboarded.body.id}`);
    expect(audit.body.data.map((a) => [a.actor, a.action])).toEqual([[platform.id, 'customer.onboard']]);
  });

  test('revocation counts from the next request; revoking twice is 409; both are audited', async () => {
    const key = await createKey({ scopes: ['customers:read'], customer_id: customerId });
    expect((await p.call('GET', `/v1/customers/${customerId}`, { token: key.key })).status).toBe(200);
    const revoked = await p.call<ApiKeyResource>('POST', `/v1/api-keys/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revoked_at: new Date(clock.now()).toISOString() });
    const refused = await p.call<Problem>('GET', `/v1/customers/${customerId}`, { token: key.key });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toContain('revoked');
    expect((await p.call<Problem>('POST', `/v1/api-keys/${key.id}/revoke`)).body.code).toBe('invalid_transition');
    const audit = await p.call<Page<{ action: string }>>('GET', `/v1/audit?target_id=${key.id}`);
    expect(audit.body.data.map((a) => a.action).sort()).toEqual(['api_key.create', 'api_key.revoke']);
  });

  test('an expired key is refused (401) and listed as expired; an expiry in the past is refused at creation', async () => {
    const hour = 3_600_000;
    const key = await createKey({ scopes: ['customers:read'], customer_id: customerId, expires_at: new Date(clock.now() + hour).toISOString() });
    expect((await p.call('GET', `/v1/customers/${customerId}`, { token: key.key })).status).toBe(200);
    clock.advance(hour);
    const refused = await p.call<Problem>('GET', `/v1/customers/${customerId}`, { token: key.key });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toContain('expired');
    expect((await p.call<ApiKeyResource>('GET', `/v1/api-keys/${key.id}`)).body.status).toBe('expired');
    const past = await p.call<Problem>('POST', '/v1/api-keys', { body: { name: 'x', scopes: ['customers:read'], expires_at: new Date(clock.now() - 1).toISOString() } });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ field: 'expires_at', message: 'must be in the future' }]);
  });

  test('a wrong secret, an unknown key or a malformed one is 401', async () => {
    const key = await createKey({ scopes: ['customers:read'], customer_id: customerId });
    const wrong = `${key.prefix}${'0'.repeat(64)}`;
    const unknown = `sk_live_key_${'0'.repeat(26)}_${'a'.repeat(64)}`;
    for (const token of [wrong, unknown, 'sk_live_nonsense']) {
      expect((await p.call<Problem>('GET', `/v1/customers/${customerId}`, { token })).status).toBe(401);
    }
  });

  test('last-used time is written on first use, then at most once a minute per key (the clock moves, no sleeping)', async () => {
    const key = await createKey({ scopes: ['customers:read'], customer_id: customerId });
    const lastUsed = async () => (await p.call<ApiKeyResource>('GET', `/v1/api-keys/${key.id}`)).body.last_used_at;
    const t0 = clock.now();
    await p.call('GET', `/v1/customers/${customerId}`, { token: key.key });
    expect(await lastUsed()).toBe(new Date(t0).toISOString());
    clock.advance(30_000);
    await p.call('GET', `/v1/customers/${customerId}`, { token: key.key });
    expect(await lastUsed()).toBe(new Date(t0).toISOString());
    clock.advance(31_000);
    await p.call('GET', `/v1/customers/${customerId}`, { token: key.key });
    expect(await lastUsed()).toBe(new Date(t0 + 61_000).toISOString());
  });

  test('creating a key for a customer that does not exist is 404; an unknown scope is 400 naming the field', async () => {
    const missing = await p.call<Problem>('POST', '/v1/api-keys', { body: { name: 'x', scopes: ['customers:read'], customer_id: `cus_${'0'.repeat(26)}` } });
    expect(missing.status).toBe(404);
    const bad = await p.call<Problem>('POST', '/v1/api-keys', { body: { name: 'x', scopes: ['everything'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors![0]!.field).toBe('scopes.0');
  });
});

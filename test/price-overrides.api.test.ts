import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import type { CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { PriceOverrideResource } from '../src/price-overrides/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { createTestPlatform, customerInput, expectProblem, type TestPlatform } from './harness.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
  const meter = await p.call('POST', '/v1/meters', { body: { code: 'storage_gb', name: 'Storage', aggregation: 'max', value_property: 'gb', group_by: ['region'] } });
  expect(meter.status).toBe(201);
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

const storageCharge = { meter: 'storage_gb', model: 'per_unit', unit_price: '20' };
const planTokens = { meter: 'ai_tokens', model: 'per_unit', unit_price: '0.001' };
/** The deal: tokens cheaper for gpt-4o output, storage cheaper. */
const dealTokens = { meter: 'ai_tokens', model: 'per_unit', unit_price: '0.0008', prices: [{ dimensions: { model: 'gpt-4o', token_type: 'output' }, unit_price: '0.0005' }] };
const dealStorage = { meter: 'storage_gb', model: 'per_unit', unit_price: '15' };

async function subscribed() {
  const plan = await p.call<PlanResource>('POST', '/v1/plans', {
    body: { code: `deal-${tag()}`, name: 'AI Pro', price_amount: 9900, currency: 'USD', interval: 'month', seat_price: 1500, charges: [planTokens, storageCharge] },
  });
  expect(plan.status).toBe(201);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  return { subId: sub.body.id, customerId: customer.body.id, planId: plan.body.id };
}

const put = (subId: string, body: unknown, token?: string) => p.call<PriceOverrideResource>('PUT', `/v1/subscriptions/${subId}/prices`, { body, ...(token ? { token } : {}) });
const get = (subId: string, token?: string) => p.call<PriceOverrideResource>('GET', `/v1/subscriptions/${subId}/prices`, token ? { token } : {});

async function dealEvents(subId: string) {
  const res = await p.call<Page<TypedEventResource<'subscription.prices_negotiated'>>>('GET', `/v1/events?subject=${subId}&type=subscription.prices_negotiated&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('negotiated prices', () => {
  test('a deal is written as versions; the one in force shows the charges the subscription is billed with; told and audited', async () => {
    const { subId } = await subscribed();
    expectProblem(await get(subId), 404, 'not_found');

    const first = await put(subId, { charges: [{ ...dealTokens, currency: 'USD' }], seat_price: 1200, note: 'Annual commitment, signed by ACME procurement' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: 'price_override', subscription_id: subId, version: 1, charges: [dealTokens], seat_price: { amount: 1200, currency: 'USD' }, note: 'Annual commitment, signed by ACME procurement' });
    expect(first.body.created_by).toStartWith('op');

    const inForce = await get(subId);
    expect(inForce.status).toBe(200);
    expect(inForce.body.version).toBe(1);
    // The plan's token charge is replaced by the deal's, its storage charge stays.
    expect(inForce.body.effective_charges).toEqual([dealTokens, storageCharge] as never);

    const second = await put(subId, { charges: [dealTokens, dealStorage], seat_price: 1200 });
    expect([second.status, second.body.version, second.body.note]).toEqual([200, 2, null]);
    expect((await get(subId)).body.effective_charges).toEqual([dealTokens, dealStorage] as never);

    // The same body again (fields in another order) writes nothing.
    const again = await put(subId, { seat_price: 1200, charges: [dealTokens, { unit_price: '15', model: 'per_unit', meter: 'storage_gb' }] });
    expect([again.status, again.body.version]).toEqual([200, 2]);

    const ended = await put(subId, { charges: [], seat_price: null });
    expect([ended.body.version, ended.body.charges, ended.body.seat_price]).toEqual([3, [], null]);
    expect((await get(subId)).body.effective_charges).toEqual([planTokens, storageCharge] as never);

    const versions = await p.call<Page<PriceOverrideResource>>('GET', `/v1/subscriptions/${subId}/prices/versions?limit=2`);
    expect(versions.status).toBe(200);
    expect(versions.body.data.map((v) => v.version)).toEqual([3, 2]);
    const rest = await p.call<Page<PriceOverrideResource>>('GET', `/v1/subscriptions/${subId}/prices/versions?limit=2&cursor=${versions.body.next_cursor}`);
    expect(rest.body.data.map((v) => [v.version, v.charges, v.seat_price])).toEqual([[1, [dealTokens], { amount: 1200, currency: 'USD' }]] as never);

    const events = await dealEvents(subId);
    expect(events.map((e) => [e.data.version, e.data.previous_version])).toEqual([[1, null], [2, 1], [3, 2]]);
    expect(events[0]!.data).toEqual({ subscription_id: subId, version: 1, previous_version: null, charges: [dealTokens] as never, seat_price: { amount: 1200, currency: 'USD' }, note: 'Annual commitment, signed by ACME procurement' });

    const audit = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${subId}&limit=100`);
    const negotiated = audit.body.data.filter((a) => a.action === 'subscription.prices_negotiate').map((a) => a.data);
    expect(negotiated).toEqual(
      expect.arrayContaining([
        { version: 1, previous_version: null, changed: ['charges', 'seat_price', 'note'], meters: ['ai_tokens'] },
        { version: 2, previous_version: 1, changed: ['charges', 'note'], meters: ['storage_gb'] },
        { version: 3, previous_version: 2, changed: ['charges', 'seat_price'], meters: ['ai_tokens', 'storage_gb'] },
      ]),
    );
    expect(negotiated).toHaveLength(3);
  });

  test('every wrong field is named at once and nothing is saved', async () => {
    const { subId } = await subscribed();
    expect((await put(subId, { charges: [dealTokens] })).status).toBe(200);

    const shape = await put(subId, { charges: [{ meter: 'ai_tokens', model: 'per_unit' }], seat_price: -1, note: 'x'.repeat(501) });
    expectProblem(shape, 400, 'validation');
    expect(shape.body.errors!.map((e) => e.field).sort()).toEqual(['charges.0.unit_price', 'note', 'seat_price']);

    const against = await put(subId, {
      charges: [
        { ...dealStorage, currency: 'EUR' },
        { meter: 'no_such_meter', model: 'per_unit', unit_price: '1' },
        { ...dealTokens, prices: [{ dimensions: { region: 'eu' }, unit_price: '1' }] },
        dealStorage,
      ],
    });
    expectProblem(against, 400, 'validation');
    expect(against.body.errors!.map((e) => e.field)).toEqual(['charges.0.currency', 'charges.1.meter', 'charges.2.prices.0.dimensions.region', 'charges.3.meter']);

    const inForce = await get(subId);
    expect([inForce.body.version, inForce.body.charges]).toEqual([1, [dealTokens] as never]);
    expect(await dealEvents(subId)).toHaveLength(1);
  });

  test('a canceled subscription takes no deal; an unknown one is 404', async () => {
    const { subId } = await subscribed();
    expect((await p.call('POST', `/v1/subscriptions/${subId}/cancel`, { body: {} })).status).toBe(200);
    expectProblem(await put(subId, { charges: [dealTokens] }), 409, 'invalid_transition');
    expectProblem(await put('sub_00000000000000000000000000', { charges: [dealTokens] }), 404, 'not_found');
    expectProblem(await get('sub_00000000000000000000000000'), 404, 'not_found');
    expect((await p.call('GET', '/v1/subscriptions/sub_00000000000000000000000000/prices/versions')).status).toBe(404);
  });

  test('operators make deals; viewers and API keys may not; a customer reads only its own', async () => {
    const a = await subscribed();
    const b = await subscribed();
    expect((await put(a.subId, { charges: [dealTokens] }, await p.tokenFor('operator'))).status).toBe(200);
    expect((await put(a.subId, { charges: [dealStorage] }, await p.tokenFor('viewer'))).status).toBe(403);
    expect((await get(a.subId, await p.tokenFor('viewer'))).status).toBe(200);

    const platformKey = await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'crm', scopes: ['subscriptions:read', 'subscriptions:write'] } });
    expect((await put(a.subId, { charges: [dealStorage] }, platformKey.body.key)).status).toBe(404);
    expect((await get(a.subId, platformKey.body.key)).status).toBe(200);

    const tenantKey = await p.call<CreatedApiKeyResource>('POST', '/v1/api-keys', { body: { name: 'own', scopes: ['subscriptions:read', 'subscriptions:write'], customer_id: b.customerId } });
    expect((await get(a.subId, tenantKey.body.key)).status).toBe(404);
    expect((await p.call('GET', `/v1/subscriptions/${a.subId}/prices/versions`, { token: tenantKey.body.key })).status).toBe(404);
    expect((await put(b.subId, { charges: [dealStorage] }, tenantKey.body.key)).status).toBe(404);
    expect((await get(a.subId)).body.version).toBe(1);
  });
});

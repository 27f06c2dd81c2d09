import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, expectProblem, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
  const meter = await p.call('POST', '/v1/meters', { body: { code: 'storage_gb', name: 'Storage', aggregation: 'max', value_property: 'gb', group_by: ['region'] } });
  expect(meter.status).toBe(201);
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

/** Per model and kind of token, as AI businesses price: output dearer than input, cached cheaper, a default for other models. */
const tokenCharge = {
  meter: 'ai_tokens',
  model: 'per_unit',
  unit_price: '0.0001',
  prices: [
    { dimensions: { model: 'gpt-4o', token_type: 'input' }, unit_price: '0.00025' },
    { dimensions: { model: 'gpt-4o', token_type: 'output' }, unit_price: '0.001' },
    { dimensions: { model: 'gpt-4o', token_type: 'cached' }, unit_price: '0.000125' },
  ],
};
const storageCharge = {
  meter: 'storage_gb',
  model: 'graduated',
  tiers: [
    { up_to: 100, unit_price: '0' },
    { up_to: 1000, unit_price: '20', flat_fee: '500' },
    { up_to: null, unit_price: '10' },
  ],
  min_amount: 1000,
  max_amount: 500_000,
};

const planInput = (overrides: Record<string, unknown> = {}) => ({
  code: `ai-${tag()}`,
  name: 'AI Pro',
  price_amount: 9900,
  currency: 'USD',
  interval: 'month',
  seat_price: 1500,
  charges: [tokenCharge, storageCharge],
  ...overrides,
});

async function eventsOf(id: string) {
  const res = await p.call<Page<TypedEventResource<'plan.created' | 'plan.updated'>>>('GET', `/v1/events?subject=${id}&limit=100`);
  return res.body.data;
}

describe('usage charges on plan versions', () => {
  test('a plan carries charges per meter, prices per dimension and a seat price, read back and told in its event as sent', async () => {
    const res = await p.call<PlanResource>('POST', '/v1/plans', { body: { ...planInput(), charges: [{ ...tokenCharge, currency: 'USD' }, storageCharge] } });
    expect(res.status).toBe(201);
    expect(res.body.charges).toEqual([tokenCharge, storageCharge] as never);
    expect(res.body.seat_price).toEqual({ amount: 1500, currency: 'USD' });
    expect(res.body.prices).toEqual([{ currency: 'USD', price_amount: 9900, overage_price_per_1k: 0, seat_price: 1500 }]);
    const [created] = await eventsOf(res.body.id);
    expect(created!.data.plan.charges).toEqual([tokenCharge, storageCharge] as never);
    expect(created!.data.plan.seat_price).toEqual({ amount: 1500, currency: 'USD' });
  });

  test('changing the charges writes a new version naming them; the old version keeps its charges', async () => {
    const { body: plan } = await p.call<PlanResource>('POST', '/v1/plans', { body: planInput() });
    const changed = await p.call<PlanResource>('PATCH', `/v1/plans/${plan.id}`, { body: { charges: [tokenCharge] } });
    expect(changed.status).toBe(200);
    expect([changed.body.version, changed.body.charges]).toEqual([2, [tokenCharge] as never]);
    const events = await eventsOf(plan.id);
    expect(events.at(-1)!.type).toBe('plan.updated');
    expect((events.at(-1)!.data as { changed: string[] }).changed).toEqual(['charges']);
    const v1 = await p.call<PlanResource>('GET', `/v1/plans/${plan.id}?version=1`);
    expect(v1.body.charges).toEqual([tokenCharge, storageCharge] as never);
    const same = await p.call<PlanResource>('PATCH', `/v1/plans/${plan.id}`, { body: { charges: [tokenCharge] } });
    expect(same.body.version).toBe(2);
    const cleared = await p.call<PlanResource>('PATCH', `/v1/plans/${plan.id}`, { body: { charges: [] } });
    expect([cleared.body.version, cleared.body.charges]).toEqual([3, []]);
  });

  test('a plan without charges shows none and keeps billing its token terms', async () => {
    const { body: plan } = await p.call<PlanResource>('POST', '/v1/plans', { body: planInput({ charges: undefined, seat_price: undefined, overage_price_per_1k: 25, included_tokens: 1000 }) });
    expect(plan.charges).toEqual([]);
    expect(plan.seat_price).toEqual({ amount: 0, currency: 'USD' });
  });

  test('every malformed price is a 400 naming its field, all at once, and nothing is saved', async () => {
    const code = `bad-${tag()}`;
    const res = await p.call('POST', '/v1/plans', {
      body: planInput({
        code,
        charges: [
          { ...tokenCharge, unit_price: '-1', prices: [{ dimensions: { model: 'gpt-4o' }, unit_price: '1e-5' }] },
          { ...storageCharge, tiers: [{ up_to: 1000, unit_price: '1' }, { up_to: 100, unit_price: '2' }, { up_to: 5000, unit_price: '3' }], min_amount: 2_000_000_000_000 },
          { meter: 'storage_gb', model: 'package', package_size: 0, package_price: '0.1234567890123' },
          { meter: 'ai_tokens', model: 'volume', unit_price: '1' },
        ],
      }),
    });
    expectProblem(res, 400, 'validation');
    expect([...new Set(res.body.errors!.map((e) => e.field))].sort()).toEqual(
      [
        'charges.0.unit_price',
        'charges.0.prices.0.unit_price',
        'charges.1.tiers.1.up_to',
        'charges.1.tiers.2.up_to',
        'charges.1.min_amount',
        'charges.2.package_size',
        'charges.2.package_price',
        'charges.3.unit_price',
        'charges.3.tiers',
      ].sort(),
    );
    const listed = await p.call<Page<PlanResource>>('GET', `/v1/plans?code=${code}`);
    expect(listed.body.data).toEqual([]);
  });

  test('prices that the meters or the version cannot take are a 400 naming each field at once, and nothing is saved', async () => {
    const code = `bad-${tag()}`;
    const res = await p.call('POST', '/v1/plans', {
      body: planInput({
        code,
        overage_price_per_1k: 25,
        charges: [
          { ...tokenCharge, currency: 'EUR', prices: [{ dimensions: { model: 'gpt-4o', region: 'eu' }, unit_price: '1' }] },
          { meter: 'no_such_meter', model: 'per_unit', unit_price: '1' },
          { ...storageCharge, meter: 'ai_tokens' },
        ],
      }),
    });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors!.map((e) => e.field).sort()).toEqual(
      ['charges.0.currency', 'charges.0.prices.0.dimensions.region', 'charges.1.meter', 'charges.2.meter', 'overage_price_per_1k'].sort(),
    );
    expect(res.body.errors!.find((e) => e.field === 'charges.0.prices.0.dimensions.region')!.message).toContain('groups by model, token_type');
    expect((await p.call<Page<PlanResource>>('GET', `/v1/plans?code=${code}`)).body.data).toEqual([]);

    const elsewhere = await p.call('POST', '/v1/plans', { body: planInput({ prices: { EUR: { price_amount: 9000 } } }) });
    expectProblem(elsewhere, 400, 'validation');
    expect(elsewhere.body.errors!.map((e) => e.field)).toEqual(['charges']);
  });

  test('a charge without a default price must price some dimension values; one price per set of values', async () => {
    const res = await p.call('POST', '/v1/plans', {
      body: planInput({
        charges: [
          { meter: 'ai_tokens', model: 'per_unit' },
          { meter: 'storage_gb', model: 'per_unit', prices: [{ dimensions: { region: 'eu' }, unit_price: '1' }, { dimensions: { region: 'eu' }, unit_price: '2' }] },
        ],
      }),
    });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors!.map((e) => e.field).sort()).toEqual(['charges.0.unit_price', 'charges.1.prices.1.dimensions']);
    const ok = await p.call<PlanResource>('POST', '/v1/plans', { body: planInput({ charges: [{ meter: 'ai_tokens', model: 'per_unit', prices: tokenCharge.prices }] }) });
    expect(ok.status).toBe(201);
  });

  test('an archived meter takes no new prices', async () => {
    const code = `old_${tag()}`;
    await p.call('POST', '/v1/meters', { body: { code, name: 'Old', aggregation: 'count' } });
    await p.call('POST', `/v1/meters/${code}/archive`);
    const res = await p.call('POST', '/v1/plans', { body: planInput({ charges: [{ meter: code, model: 'per_unit', unit_price: '1' }] }) });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ field: 'charges.0.meter', message: expect.stringContaining('archived') }] as never);
  });

  test('seat prices per currency are read back with each price', async () => {
    const res = await p.call<PlanResource>('POST', '/v1/plans', { body: planInput({ charges: [], prices: { EUR: { price_amount: 9000, seat_price: 1400 } } }) });
    expect(res.body.prices).toEqual([
      { currency: 'USD', price_amount: 9900, overage_price_per_1k: 0, seat_price: 1500 },
      { currency: 'EUR', price_amount: 9000, overage_price_per_1k: 0, seat_price: 1400 },
    ]);
  });
});

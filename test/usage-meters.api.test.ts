import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, count, eq, isNull } from 'drizzle-orm';
import { deadLetters, loyalty, outbox, planVersions, subscriptionPriceOverrides, usageAggregates, usagePeriods, usageRecords, usageUniqueValues, type StoredCharge } from '../db/schema/index.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { DAY_MS } from '../src/subscriptions/periods.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { ConsumerList, TypedEventResource } from '../src/events/contract.ts';
import type { UsageBatchResource } from '../src/usage/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';

const APRIL_1 = Date.UTC(2026, 3, 1);
const clock = manualClock(APRIL_1);
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock } });
});
afterAll(() => p.close());

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const DAY_2 = APRIL_1 + DAY_MS;

/** A customer on a fresh plan, subscribed at APRIL_1; the clock is left two days later. */
async function subscribed(terms: Record<string, unknown> = { included_tokens: 1_000_000, quota_policy: 'overage', overage_price_per_1k: 10 }) {
  clock.set(APRIL_1);
  const plan = await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `m-${tag()}`, name: 'Metered', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, ...terms } });
  expect(plan.status).toBe(201);
  const customer = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
  const sub = await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.body.id, plan_id: plan.body.id } });
  expect(sub.status).toBe(201);
  clock.set(APRIL_1 + 2 * DAY_MS);
  return { customerId: customer.body.id, subId: sub.body.id, planId: plan.body.id };
}

/** A fresh meter; its code is returned. */
async function meter(aggregation: string, valueProperty: string | undefined, groupBy: string[] = []) {
  const code = `m_${tag()}`;
  const res = await p.call('POST', '/v1/meters', { body: { code, name: code, aggregation, ...(valueProperty ? { value_property: valueProperty } : {}), group_by: groupBy } });
  expect(res.status).toBe(201);
  return code;
}

const event = (customerId: string, meterCode: string, properties: Record<string, string | number>, overrides: Record<string, unknown> = {}) => ({
  id: `ev-${tag()}`,
  customer_id: customerId,
  meter: meterCode,
  timestamp: iso(DAY_2),
  properties,
  ...overrides,
});

const tokens = (customerId: string, n: number, overrides: Record<string, unknown> = {}) => ({ id: `tk-${tag()}`, customer_id: customerId, model: 'gpt-test', tokens: n, occurred_at: iso(DAY_2), ...overrides });

async function post(...records: unknown[]) {
  const res = await p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records } });
  expect(res.status).toBe(200);
  return res.body;
}

/** The aggregate rows of a meter for a subscription, dimensions → quantity. */
async function aggregates(subId: string, meterCode: string) {
  const rows = await p.deps.db.select().from(usageAggregates).where(and(eq(usageAggregates.subscriptionId, subId), eq(usageAggregates.meter, meterCode)));
  return Object.fromEntries(rows.map((r) => [r.dimensions, r.quantity]));
}

const outcomes = (batch: UsageBatchResource) => batch.results.map((r) => [r.status, r.reason ?? r.field]);

describe('usage events through meters', () => {
  test('sum adds the value property per dimension values (numbers as text), count adds one per event', async () => {
    const { customerId, subId } = await subscribed();
    const sum = await meter('sum', 'calls', ['region', 'method']);
    const count = await meter('count', undefined, ['region']);
    const batch = await post(
      event(customerId, sum, { calls: 3, region: 'eu', method: 'GET' }),
      event(customerId, sum, { calls: 4, region: 'eu', method: 'GET', other: 'ignored' }),
      event(customerId, sum, { calls: 5, region: 'us' }),
      event(customerId, sum, { calls: 0, region: 7, method: 'GET' }),
      event(customerId, count, { region: 'eu' }),
      event(customerId, count, { region: 'eu', calls: 'x' }),
      event(customerId, count, {}),
    );
    expect(batch).toMatchObject({ accepted: 7, refused: 0 });
    expect(await aggregates(subId, sum)).toEqual({ '{"region":"eu","method":"GET"}': 7, '{"region":"us"}': 5, '{"region":"7","method":"GET"}': 0 });
    expect(await aggregates(subId, count)).toEqual({ '{"region":"eu"}': 2, '{}': 1 });
    // A second batch adds to the same rows.
    await post(event(customerId, sum, { calls: 10, region: 'us' }), event(customerId, count, {}));
    expect(await aggregates(subId, sum)).toMatchObject({ '{"region":"us"}': 15 });
    expect(await aggregates(subId, count)).toMatchObject({ '{}': 2 });
  });

  test('max keeps the largest value, across batches too', async () => {
    const { customerId, subId } = await subscribed();
    const max = await meter('max', 'gb', ['region']);
    await post(event(customerId, max, { gb: 5, region: 'eu' }), event(customerId, max, { gb: 9, region: 'eu' }), event(customerId, max, { gb: 2, region: 'eu' }));
    expect(await aggregates(subId, max)).toEqual({ '{"region":"eu"}': 9 });
    await post(event(customerId, max, { gb: 4, region: 'eu' }));
    expect(await aggregates(subId, max)).toEqual({ '{"region":"eu"}': 9 });
    await post(event(customerId, max, { gb: 12, region: 'eu' }));
    expect(await aggregates(subId, max)).toEqual({ '{"region":"eu"}': 12 });
  });

  test('latest keeps the value of the newest event by its timestamp; on a tie the later recorded wins', async () => {
    const { customerId, subId } = await subscribed();
    const latest = await meter('latest', 'seats');
    await post(
      event(customerId, latest, { seats: 5 }, { timestamp: iso(DAY_2 + 2000) }),
      event(customerId, latest, { seats: 3 }, { timestamp: iso(DAY_2 + 1000) }),
    );
    expect(await aggregates(subId, latest)).toEqual({ '{}': 5 });
    // An older event in a later batch changes nothing; one at the same time replaces it.
    await post(event(customerId, latest, { seats: 8 }, { timestamp: iso(DAY_2) }));
    expect(await aggregates(subId, latest)).toEqual({ '{}': 5 });
    await post(event(customerId, latest, { seats: 6 }, { timestamp: iso(DAY_2 + 2000) }));
    expect(await aggregates(subId, latest)).toEqual({ '{}': 6 });
    await post(event(customerId, latest, { seats: 7 }, { timestamp: iso(DAY_2 + 3000) }), event(customerId, latest, { seats: 4 }, { timestamp: iso(DAY_2 + 3000) }));
    expect(await aggregates(subId, latest)).toEqual({ '{}': 4 });
  });

  test('unique_count counts a value once per period and dimension values, within a batch and across batches', async () => {
    const { customerId, subId } = await subscribed();
    const unique = await meter('unique_count', 'user', ['region']);
    await post(
      event(customerId, unique, { user: 'ann', region: 'eu' }),
      event(customerId, unique, { user: 'bob', region: 'eu' }),
      event(customerId, unique, { user: 'ann', region: 'eu' }),
      event(customerId, unique, { user: 'ann', region: 'us' }),
      event(customerId, unique, { user: 42, region: 'us' }),
    );
    expect(await aggregates(subId, unique)).toEqual({ '{"region":"eu"}': 2, '{"region":"us"}': 2 });
    await post(event(customerId, unique, { user: 'bob', region: 'eu' }), event(customerId, unique, { user: 'cid', region: 'eu' }), event(customerId, unique, { user: '42', region: 'us' }));
    expect(await aggregates(subId, unique)).toEqual({ '{"region":"eu"}': 3, '{"region":"us"}': 2 });
    const values = await p.deps.db.select().from(usageUniqueValues).where(eq(usageUniqueValues.subscriptionId, subId));
    expect(values.map((v) => `${v.dimensions} ${v.value}`).sort()).toEqual(['{"region":"eu"} ann', '{"region":"eu"} bob', '{"region":"eu"} cid', '{"region":"us"} 42', '{"region":"us"} ann']);
    // Each event is stored, counting 1.
    const stored = await p.deps.db.select().from(usageRecords).where(and(eq(usageRecords.subscriptionId, subId), eq(usageRecords.meter, unique)));
    expect(stored.map((r) => r.tokens)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  test('a token record may carry a token_type, a dimension of ai_tokens; without one its key is the model alone; an ai_tokens event feeds the same meter and quota', async () => {
    const { customerId, subId } = await subscribed({ included_tokens: 1000, quota_policy: 'overage', overage_price_per_1k: 10 });
    const batch = await post(
      tokens(customerId, 100),
      tokens(customerId, 200, { token_type: 'input' }),
      tokens(customerId, 300, { token_type: 'output' }),
      event(customerId, 'ai_tokens', { tokens: 400, model: 'gpt-test', token_type: 'output' }),
      event(customerId, 'ai_tokens', { tokens: 50, model: 'gpt-test' }),
    );
    expect(outcomes(batch)).toEqual([['accepted', undefined], ['accepted', undefined], ['accepted', undefined], ['accepted', undefined], ['accepted', undefined]]);
    expect(batch.results.map((r) => r.overage_tokens)).toEqual([0, 0, 0, 0, 50]);
    expect(await aggregates(subId, 'ai_tokens')).toEqual({ '{"model":"gpt-test"}': 150, '{"model":"gpt-test","token_type":"input"}': 200, '{"model":"gpt-test","token_type":"output"}': 700 });
    const [period] = await p.deps.db.select().from(usagePeriods).where(eq(usagePeriods.subscriptionId, subId));
    expect(period).toMatchObject({ usedTokens: 1050, overageTokens: 50, quotaExceeded: true });
    expect((await p.call<{ used_tokens: number }>('GET', `/v1/subscriptions/${subId}/usage`)).body.used_tokens).toBe(1050);
    const recorded = (await p.call<Page<TypedEventResource<'usage.recorded'>>>('GET', `/v1/events?subject=${subId}&type=usage.recorded&limit=10`)).body.data.map((e) => e.data);
    expect(recorded.find((d) => d.id === batch.results[1]!.id)).toMatchObject({ model: 'gpt-test', tokens: 200, token_type: 'input' });
    expect(recorded.find((d) => d.id === batch.results[3]!.id)).toMatchObject({ model: 'gpt-test', tokens: 400, meter: 'ai_tokens', properties: { tokens: 400, model: 'gpt-test', token_type: 'output' } });
    expect(recorded.find((d) => d.id === batch.results[0]!.id)).not.toHaveProperty('token_type');
  });

  test('a mixed batch: token records and usage events on several meters, each counted where it belongs; the event of another meter keeps model and tokens', async () => {
    const { customerId, subId } = await subscribed();
    const sum = await meter('sum', 'calls', ['region']);
    const batch = await post(tokens(customerId, 10), event(customerId, sum, { calls: 2, region: 'eu', model: 'm1' }), tokens(customerId, 5, { token_type: 'cached' }), event(customerId, sum, { calls: 1, region: 'eu' }));
    expect(batch).toMatchObject({ accepted: 4, refused: 0 });
    expect(await aggregates(subId, sum)).toEqual({ '{"region":"eu"}': 3 });
    expect(await aggregates(subId, 'ai_tokens')).toEqual({ '{"model":"gpt-test"}': 10, '{"model":"gpt-test","token_type":"cached"}': 5 });
    expect((await p.call<{ used_tokens: number }>('GET', `/v1/subscriptions/${subId}/usage`)).body.used_tokens).toBe(15);
    const stored = await p.deps.db.select().from(usageRecords).where(and(eq(usageRecords.subscriptionId, subId), eq(usageRecords.meter, sum)));
    expect(stored.map((r) => [r.model, r.tokens, r.properties])).toEqual([['m1', 2, { calls: 2, region: 'eu', model: 'm1' }], ['', 1, { calls: 1, region: 'eu' }]]);
    const recorded = (await p.call<Page<TypedEventResource<'usage.recorded'>>>('GET', `/v1/events?subject=${subId}&type=usage.recorded&limit=10`)).body.data.map((e) => e.data);
    expect(recorded.find((d) => d.id === batch.results[3]!.id)).toMatchObject({ model: '', tokens: 1, meter: sum, properties: { calls: 1, region: 'eu' }, overage_tokens: 0 });
  });
});

describe('refusals of usage events', () => {
  test('unknown_meter for no such meter or an archived one, saying which', async () => {
    const { customerId, subId } = await subscribed();
    const archived = await meter('count', undefined);
    expect((await p.call('POST', `/v1/meters/${archived}/archive`)).status).toBe(200);
    const batch = await post(event(customerId, 'no_such_meter', {}), event(customerId, archived, {}));
    expect(outcomes(batch)).toEqual([['refused', 'unknown_meter'], ['refused', 'unknown_meter']]);
    expect(batch.results[0]!.message).toContain('no meter has the code no_such_meter');
    expect(batch.results[1]!.message).toContain(`meter ${archived} is archived`);
    expect(await p.deps.db.select().from(usageRecords).where(eq(usageRecords.subscriptionId, subId))).toEqual([]);
  });

  test('invalid_value when the value property is missing, not a number, fractional or negative; unique_count only when it is missing', async () => {
    const { customerId, subId } = await subscribed();
    const sum = await meter('sum', 'calls');
    const unique = await meter('unique_count', 'user');
    const batch = await post(
      event(customerId, sum, {}),
      event(customerId, sum, { calls: '3' }),
      event(customerId, sum, { calls: 1.5 }),
      event(customerId, sum, { calls: -1 }),
      event(customerId, unique, {}),
      event(customerId, unique, { user: 1.5 }),
      event(customerId, 'ai_tokens', { tokens: 0, model: 'x' }),
    );
    expect(outcomes(batch)).toEqual([
      ['refused', 'invalid_value'],
      ['refused', 'invalid_value'],
      ['refused', 'invalid_value'],
      ['refused', 'invalid_value'],
      ['refused', 'invalid_value'],
      ['accepted', undefined],
      ['refused', 'invalid_value'],
    ]);
    expect(batch.results[0]!.message).toContain('property calls is missing');
    expect(await aggregates(subId, sum)).toEqual({});
    expect(await aggregates(subId, unique)).toEqual({ '{}': 1 });
  });

  test('unpriced_dimension when the charges in force price the meter but not these dimension values and have no default; a negotiated default price takes them', async () => {
    const { customerId, subId, planId } = await subscribed();
    const sum = await meter('sum', 'calls', ['region']);
    const charge: StoredCharge = { meter: sum, model: 'per_unit', prices: [{ dimensions: { region: 'eu' }, unit_price: '2' }] } as StoredCharge;
    await p.deps.db.update(planVersions).set({ charges: [charge] }).where(eq(planVersions.planId, planId));
    const batch = await post(event(customerId, sum, { calls: 1, region: 'eu' }), event(customerId, sum, { calls: 1, region: 'us' }), event(customerId, sum, { calls: 1 }));
    expect(outcomes(batch)).toEqual([['accepted', undefined], ['refused', 'unpriced_dimension'], ['refused', 'unpriced_dimension']]);
    expect(batch.results[1]).toMatchObject({ subscription_id: subId, period_start: iso(APRIL_1) });
    expect(batch.results[1]!.message).toContain('{"region":"us"}');
    expect(await aggregates(subId, sum)).toEqual({ '{"region":"eu"}': 1 });

    await p.deps.db.insert(subscriptionPriceOverrides).values({ subscriptionId: subId, version: 1, charges: [{ ...charge, unit_price: '1' } as StoredCharge], seatPrice: null, note: null, createdBy: 'test', createdAt: clock.now() });
    expect(outcomes(await post(event(customerId, sum, { calls: 1, region: 'us' })))).toEqual([['accepted', undefined]]);
  });

  test('the usual refusals hold for usage events: in_future, before_subscription, no_subscription', async () => {
    const { customerId } = await subscribed();
    const count = await meter('count', undefined);
    const batch = await post(
      event(customerId, count, {}, { timestamp: '2999-01-01T00:00:00Z' }),
      event(customerId, count, {}, { timestamp: iso(APRIL_1 - DAY_MS) }),
      event(customerId, count, {}, { subscription_id: 'sub_00000000000000000000000000' }),
    );
    expect(outcomes(batch)).toEqual([['refused', 'in_future'], ['refused', 'before_subscription'], ['refused', 'no_subscription']]);
  });

  test('validation names the field of the shape a record has', async () => {
    const { customerId } = await subscribed();
    const fields = async (...records: unknown[]) => ((await p.call<{ errors: { field: string }[] }>('POST', '/v1/usage', { body: { records } })).body.errors ?? []).map((e) => e.field);
    expect(await fields(event(customerId, 'Bad Code', {}))).toContain('records.0.meter');
    expect(await fields(event(customerId, 'x', { 'bad key': 1 }))).toContain('records.0.properties.bad key');
    expect(await fields(event(customerId, 'x', { note: 'a'.repeat(201) }))).toContain('records.0.properties.note');
    expect(await fields(event(customerId, 'x', { note: 'two\nlines' }))).toContain('records.0.properties.note');
    expect(await fields(event(customerId, 'x', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, i]))))).toContain('records.0.properties');
    expect(await fields(tokens(customerId, 1, { token_type: 'reasoning' }))).toContain('records.0.token_type');
  });
});

describe('repeated usage events', () => {
  test('the same event again is a duplicate (properties in any order); a differing one a conflict naming meter, timestamp, properties or subscription_id', async () => {
    const { customerId, subId } = await subscribed();
    const sum = await meter('sum', 'calls', ['region']);
    const other = await meter('sum', 'calls', ['region']);
    const e = event(customerId, sum, { calls: 2, region: 'eu' });
    expect((await post(e)).accepted).toBe(1);
    const again = await post(
      { ...e, properties: { region: 'eu', calls: 2 } },
      { ...e, timestamp: iso(DAY_2).replace('.000Z', 'Z') },
      { ...e, meter: other },
      { ...e, timestamp: iso(DAY_2 + 1) },
      { ...e, properties: { calls: 3, region: 'eu' } },
      { ...e, properties: { calls: 2, region: 'eu', extra: 'x' } },
      { ...e, subscription_id: 'sub_00000000000000000000000000' },
      { id: e.id, customer_id: customerId, model: 'gpt-test', tokens: 2, occurred_at: iso(DAY_2) },
    );
    expect(outcomes(again)).toEqual([
      ['duplicate', undefined],
      ['duplicate', undefined],
      ['conflict', 'meter'],
      ['conflict', 'timestamp'],
      ['conflict', 'properties'],
      ['conflict', 'properties'],
      ['conflict', 'subscription_id'],
      ['conflict', 'meter'],
    ]);
    expect(again.results[0]).toMatchObject({ subscription_id: subId, period_start: iso(APRIL_1) });
    expect(await aggregates(subId, sum)).toEqual({ '{"region":"eu"}': 2 });

    // Within one batch: the first counts, the second under its id is the conflict, the third the duplicate.
    const twin = event(customerId, sum, { calls: 5, region: 'us' });
    expect(outcomes(await post(twin, { ...twin, properties: { calls: 6, region: 'us' } }, twin))).toEqual([['accepted', undefined], ['conflict', 'properties'], ['duplicate', undefined]]);
    expect(await aggregates(subId, sum)).toMatchObject({ '{"region":"us"}': 5 });
  });

  test('a token record and the ai_tokens event with the same properties are the same record; token_type differing is a conflict', async () => {
    const { customerId } = await subscribed();
    const t = tokens(customerId, 70, { token_type: 'input' });
    expect((await post(t)).accepted).toBe(1);
    const again = await post(
      { id: t.id, customer_id: customerId, meter: 'ai_tokens', timestamp: t.occurred_at, properties: { model: 'gpt-test', tokens: 70, token_type: 'input' } },
      { ...t, token_type: 'output' },
      { ...t, token_type: undefined },
    );
    expect(outcomes(again)).toEqual([['duplicate', undefined], ['conflict', 'token_type'], ['conflict', 'token_type']]);
    // A token record stored without a token type: the same again is a duplicate.
    const plain = tokens(customerId, 9);
    await post(plain);
    expect(outcomes(await post(plain, { id: plain.id, customer_id: customerId, meter: 'ai_tokens', timestamp: plain.occurred_at, properties: { model: 'gpt-test', tokens: 9 } }))).toEqual([['duplicate', undefined], ['duplicate', undefined]]);
  });
});

describe('usage events in bulk and from the bus', () => {
  test('a batch of 1,000 mixed records is counted exactly', async () => {
    const { customerId, subId } = await subscribed();
    const sum = await meter('sum', 'calls', ['region', 'method']);
    const records = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? tokens(customerId, 10, { id: `bulk-${i}`, token_type: (['input', 'output', 'cached'] as const)[i % 3] })
        : event(customerId, sum, { calls: 3, region: ['eu', 'us'][i % 4 === 1 ? 0 : 1]!, method: 'GET' }, { id: `bulk-${i}` }),
    );
    const batch = await post(...records);
    expect(batch).toMatchObject({ accepted: 1000, refused: 0, duplicates: 0 });
    expect(await aggregates(subId, sum)).toEqual({ '{"region":"eu","method":"GET"}': 750, '{"region":"us","method":"GET"}': 750 });
    const tokenRows = await aggregates(subId, 'ai_tokens');
    expect(Object.values(tokenRows).reduce((a, b) => a + b, 0)).toBe(5000);
    expect((await p.call<{ used_tokens: number }>('GET', `/v1/subscriptions/${subId}/usage`)).body.used_tokens).toBe(5000);
    expect((await post(...records))).toMatchObject({ accepted: 0, duplicates: 1000 });
  });

  test('a usage event published as usage.reported is recorded as the route would; a differing one under its id is dead-lettered', async () => {
    const { customerId, subId } = await subscribed();
    const sum = await meter('sum', 'calls', ['region']);
    p.startWorkers(['usage-ingest']);
    try {
      const publish = async (data: Record<string, unknown>) => {
        const id = `gw-evt-${tag()}`;
        await p.deps.bus.publish([{ specversion: '1.0' as const, id, source: 'urn:ai-gateway', type: 'usage.reported', subject: customerId, time: iso(clock.now()), datacontenttype: 'application/json' as const, sequence: 1, data }]);
        await eventually(async () => (await p.call<ConsumerList>('GET', '/v1/consumers')).body.data.find((g) => g.group === 'usage-ingest')?.lag === 0);
        return (await p.deps.db.select().from(deadLetters).where(eq(deadLetters.eventId, id)))[0] ?? null;
      };
      const data = { id: `gw-${tag()}`, customer_id: customerId, meter: sum, timestamp: iso(DAY_2), properties: { calls: 4, region: 'eu' } };
      expect(await publish(data)).toBeNull();
      expect(await publish(data)).toBeNull();
      expect(await aggregates(subId, sum)).toEqual({ '{"region":"eu"}': 4 });
      const parked = await publish({ ...data, properties: { calls: 5, region: 'eu' } });
      expect(parked?.reason).toContain('properties differs');
      expect(await aggregates(subId, sum)).toEqual({ '{"region":"eu"}': 4 });
    } finally {
      await p.stopWorkers();
    }
  });

  test('profiling counts the tokens of ai_tokens records only, not what another meter counted', async () => {
    const { customerId } = await subscribed();
    const sum = await meter('sum', 'calls');
    expect((await post(tokens(customerId, 120), event(customerId, sum, { calls: 5000 }), event(customerId, 'ai_tokens', { tokens: 30, model: 'm' }))).accepted).toBe(3);
    p.startWorkers(['relay', 'profiling']);
    try {
      await eventually(async () => {
        const [pending] = await p.deps.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
        const groups = (await p.call<ConsumerList>('GET', '/v1/consumers')).body.data;
        return pending!.n === 0 && groups.find((g) => g.group === 'profiling')?.lag === 0;
      }, { timeoutMs: 30_000 });
    } finally {
      await p.stopWorkers();
    }
    const [loyal] = await p.deps.db.select().from(loyalty).where(eq(loyalty.customerId, customerId));
    expect(loyal?.usageTokens).toBe(150);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestPlatform, type ApiResponse, type OpenApiDocument, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { ErrorCode } from '../src/kernel/errors.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { AuditEntryResource } from '../src/audit/contract.ts';
import type { EventType } from '../src/events/catalog.ts';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p.close());

/** A short random marker so codes in this file never collide. */
const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

/** A valid plan body; override any field. */
const planInput = (overrides: Record<string, unknown> = {}) => ({
  code: `pro-${tag()}`,
  name: 'Pro',
  price_amount: 4900,
  currency: 'EUR',
  interval: 'month',
  trial_days: 14,
  included_tokens: 1_000_000,
  overage_price_per_1k: 25,
  quota_policy: 'overage',
  features: ['sso', 'audit-log'],
  ...overrides,
});

async function create(overrides: Record<string, unknown> = {}): Promise<PlanResource> {
  const res = await p.call<PlanResource>('POST', '/v1/plans', { body: planInput(overrides) });
  expect(res.status).toBe(201);
  return res.body;
}

async function patch<T = PlanResource>(id: string, body: unknown) {
  return p.call<T>('PATCH', `/v1/plans/${id}`, { body });
}

/** A plan's events: its subject is the plan, so they are all `plan.*`. */
async function eventsOf(id: string) {
  const res = await p.call<Page<TypedEventResource<Extract<EventType, `plan.${string}`>>>>('GET', `/v1/events?subject=${id}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function list(query: string) {
  const res = await p.call<Page<PlanResource>>('GET', `/v1/plans?${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function versionsOf(id: string, query = 'limit=100') {
  const res = await p.call<Page<PlanResource>>('GET', `/v1/plans/${id}/versions?${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

function expectProblem(res: ApiResponse, status: number, code: ErrorCode): asserts res is ApiResponse<Problem> {
  const problem = res.body as Problem;
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toStartWith('application/problem+json');
  expect(problem.status).toBe(status);
  expect(problem.code).toBe(code);
}

function expectInvalid(res: ApiResponse, field: string): asserts res is ApiResponse<Problem> {
  expectProblem(res, 400, 'validation');
  expect(res.body.errors!.map((e) => e.field)).toContain(field);
}

describe('creating', () => {
  test('answers 201 with the plan resource at version 1, normalising code and currency', async () => {
    const code = `Team-${tag()}`;
    // A code is checked as sent (the pattern the API document shows): spaces around it are refused, not trimmed.
    const spaced = await p.call<Problem>('POST', '/v1/plans', { body: planInput({ code: ` ${code} ` }) });
    expect([spaced.status, spaced.body.errors?.map((e) => e.field)]).toEqual([400, ['code']]);
    const res = await p.call<PlanResource>('POST', '/v1/plans', { body: planInput({ code, currency: 'usd', name: '  Team  ' }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toStartWith('application/json');
    const plan = res.body;
    expect(Object.keys(plan).sort()).toEqual(
      ['archived_at', 'charges', 'code', 'created_at', 'entitlements', 'features', 'id', 'included_tokens', 'interval', 'name', 'object', 'overage_price_per_1k', 'price', 'prices', 'quota_policy', 'seat_price', 'status', 'trial_days', 'updated_at', 'version'].sort(),
    );
    expect(plan.id).toMatch(/^pln_[0-9A-Z]{26}$/);
    expect(plan).toMatchObject({
      object: 'plan',
      code: code.toLowerCase(),
      status: 'active',
      version: 1,
      name: 'Team',
      price: { amount: 4900, currency: 'USD' },
      interval: 'month',
      trial_days: 14,
      included_tokens: 1_000_000,
      overage_price_per_1k: { amount: 25, currency: 'USD' },
      quota_policy: 'overage',
      features: ['sso', 'audit-log'],
      archived_at: null,
    });
    expect(new Date(plan.created_at).toISOString()).toBe(plan.created_at);
    expect(plan.updated_at).toBe(plan.created_at);

    const got = await p.call('GET', `/v1/plans/${plan.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(plan);

    const events = await eventsOf(plan.id);
    expect(events.map((e) => e.type)).toEqual(['plan.created']);
    const { object: _o, created_at: _c, updated_at: _u, archived_at: _a, ...snapshot } = plan;
    expect(events[0]!.data).toEqual({ plan: snapshot });
  });

  test('optional terms default to no trial, no included tokens, free overage, block, no features', async () => {
    const { trial_days: _t, included_tokens: _i, overage_price_per_1k: _o, quota_policy: _q, features: _f, ...required } = planInput();
    const res = await p.call('POST', '/v1/plans', { body: required });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ trial_days: 0, included_tokens: 0, overage_price_per_1k: { amount: 0, currency: 'EUR' }, quota_policy: 'block', features: [] });
  });

  test('a second plan with the same code (in any case) is a 409 naming code; nothing is created', async () => {
    const first = await create();
    const again = await p.call('POST', '/v1/plans', { body: planInput({ code: first.code.toUpperCase(), name: 'Other' }) });
    expectProblem(again, 409, 'conflict');
    expect(again.body.field).toBe('code');
    expect(again.body.existing_id).toBe(first.id);
    expect(again.body.detail).toContain(first.code);
    expect((await list(`code=${first.code}`)).data.map((x) => x.id)).toEqual([first.id]);
  });

  test('several creations with one code at once: exactly one 201, the others 409', async () => {
    const code = `race-${tag()}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => p.call('POST', '/v1/plans', { body: planInput({ code }) })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect((await list(`code=${code}`)).data).toHaveLength(1);
  });

  test('a retry with the same Idempotency-Key replays the first response and creates one plan', async () => {
    const body = planInput();
    const headers = { 'Idempotency-Key': `plan-${tag()}` };
    const first = await p.call<PlanResource>('POST', '/v1/plans', { body, headers });
    const retry = await p.call('POST', '/v1/plans', { body, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await list(`code=${body.code}`)).data.map((x) => x.id)).toEqual([first.body.id]);
    expect((await eventsOf(first.body.id)).map((e) => e.type)).toEqual(['plan.created']);
  });
});

describe('validation', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a currency that is not an ISO 4217 code', { currency: 'euro' }, 'currency'],
    ['a negative price', { price_amount: -1 }, 'price_amount'],
    ['a fractional price (money is integer minor units)', { price_amount: 49.99 }, 'price_amount'],
    ['a price given as a string', { price_amount: '4900' }, 'price_amount'],
    ['an interval of a week', { interval: 'week' }, 'interval'],
    ['a trial longer than 365 days', { trial_days: 366 }, 'trial_days'],
    ['a negative trial', { trial_days: -1 }, 'trial_days'],
    ['an unknown quota policy', { quota_policy: 'unlimited' }, 'quota_policy'],
    ['a negative overage price', { overage_price_per_1k: -5 }, 'overage_price_per_1k'],
    ['fractional included tokens', { included_tokens: 1.5 }, 'included_tokens'],
    ['a code with spaces', { code: 'pro plan' }, 'code'],
    ['an empty name', { name: '  ' }, 'name'],
    ['a feature listed twice', { features: ['sso', 'sso'] }, 'features'],
    ['an empty feature', { features: ['sso', ''] }, 'features.1'],
  ];
  for (const [what, override, field] of cases) {
    test(`${what} is a 400 naming ${field}; nothing is created`, async () => {
      const body = planInput(override);
      expectInvalid(await p.call('POST', '/v1/plans', { body }), field);
      if (typeof body.code === 'string' && !body.code.includes(' ')) expect((await list(`code=${body.code}`)).data).toEqual([]);
    });
  }

  test('a missing price is a 400 naming price_amount', async () => {
    const { price_amount: _omitted, ...body } = planInput();
    expectInvalid(await p.call('POST', '/v1/plans', { body }), 'price_amount');
  });

  test('every bad field is named at once', async () => {
    const res = await p.call('POST', '/v1/plans', { body: planInput({ currency: 'euro', price_amount: -1, interval: 'week', trial_days: 400, quota_policy: 'x' }) });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors!.map((e) => e.field).sort()).toEqual(['currency', 'interval', 'price_amount', 'quota_policy', 'trial_days']);
  });

  test('a PATCH validates the same way, refuses unknown fields (code is stable) and an empty body', async () => {
    const plan = await create();
    expectInvalid(await patch(plan.id, { currency: 'euro' }), 'currency');
    expectInvalid(await patch(plan.id, { price_amount: -100 }), 'price_amount');
    expectInvalid(await patch(plan.id, { code: 'other' }), 'code');
    expectProblem(await patch(plan.id, {}), 400, 'validation');
    expect((await p.call('GET', `/v1/plans/${plan.id}`)).body).toEqual(plan);
  });

  test('ids, versions and list filters are validated', async () => {
    expectInvalid(await p.call('GET', '/v1/plans/not-a-plan'), 'id');
    expectInvalid(await p.call('GET', '/v1/plans/cus_00000000000000000000000000'), 'id');
    const plan = await create();
    expectInvalid(await p.call('GET', `/v1/plans/${plan.id}?version=0`), 'version');
    expectInvalid(await p.call('GET', `/v1/plans/${plan.id}?version=two`), 'version');
    expectInvalid(await p.call('GET', '/v1/plans?status=deleted'), 'status');
    expectInvalid(await p.call('GET', '/v1/plans?limit=101'), 'limit');
    expectInvalid(await p.call('GET', '/v1/plans?cursor=nonsense'), 'cursor');
  });

  test('an unknown plan is a 404 for every route', async () => {
    const missing = 'pln_00000000000000000000000000';
    expectProblem(await p.call('GET', `/v1/plans/${missing}`), 404, 'not_found');
    expectProblem(await p.call('GET', `/v1/plans/${missing}/versions`), 404, 'not_found');
    expectProblem(await patch(missing, { name: 'x' }), 404, 'not_found');
    expectProblem(await p.call('POST', `/v1/plans/${missing}/archive`), 404, 'not_found');
  });
});

describe('currency is an ISO 4217 code', () => {
  test('currency accepts ISO 4217 codes only: XYZ and codes without a minor unit (XXX, XTS, XAU) are a 400 naming currency', async () => {
    for (const currency of ['XYZ', 'ABC', 'EU1', 'XXX', 'XTS', 'XAU']) {
      const body = planInput({ currency });
      expectInvalid(await p.call('POST', '/v1/plans', { body }), 'currency');
      expect((await list(`code=${body.code}`)).data).toEqual([]);
    }
    const plan = await create();
    expectInvalid(await patch(plan.id, { currency: 'XYZ' }), 'currency');
    expect((await p.call('GET', `/v1/plans/${plan.id}`)).body).toEqual(plan);
  });

  test('real ISO 4217 codes of any minor unit are accepted and upper-cased', async () => {
    for (const [currency, stored] of [['jpy', 'JPY'], ['BHD', 'BHD'], ['CLF', 'CLF'], ['chf', 'CHF']] as const) {
      expect((await create({ currency })).price.currency).toBe(stored);
    }
  });
});

describe('versioning', () => {
  test('a price change makes version 2 current; version 1 stays readable with its old price', async () => {
    const plan = await create({ price_amount: 4900 });
    const res = await patch(plan.id, { price_amount: 5900, included_tokens: 2_000_000 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: plan.id, code: plan.code, version: 2, price: { amount: 5900, currency: 'EUR' }, included_tokens: 2_000_000, name: 'Pro', trial_days: 14 });
    expect(res.body.created_at).toBe(plan.created_at);

    expect((await p.call('GET', `/v1/plans/${plan.id}`)).body).toEqual(res.body);
    const v1 = await p.call('GET', `/v1/plans/${plan.id}?version=1`);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ id: plan.id, version: 1, price: { amount: 4900, currency: 'EUR' }, included_tokens: 1_000_000 });
    expect((await p.call('GET', `/v1/plans/${plan.id}?version=2`)).body).toEqual(res.body);
    expectProblem(await p.call('GET', `/v1/plans/${plan.id}?version=3`), 404, 'not_found');

    const versions = await versionsOf(plan.id);
    expect(versions.data.map((x) => [x.version, x.price.amount])).toEqual([[1, 4900], [2, 5900]]);
    expect(versions.has_more).toBe(false);

    const updated = (await eventsOf(plan.id)).filter((e) => e.type === 'plan.updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]!.data).toMatchObject({ previous_version: 1, changed: ['price_amount', 'included_tokens'], plan: { id: plan.id, version: 2, price: { amount: 5900, currency: 'EUR' } } });
  });

  test('a currency change moves both price and overage to the new currency', async () => {
    const plan = await create({ currency: 'EUR' });
    const res = await patch(plan.id, { currency: 'gbp' });
    expect(res.body).toMatchObject({ version: 2, price: { amount: 4900, currency: 'GBP' }, overage_price_per_1k: { amount: 25, currency: 'GBP' } });
  });

  test('name- or feature-only changes also make a new version, so history is exact', async () => {
    const plan = await create({ name: 'Pro', features: ['sso'] });
    expect((await patch(plan.id, { name: 'Pro+' })).body).toMatchObject({ version: 2, name: 'Pro+', features: ['sso'] });
    expect((await patch(plan.id, { features: ['sso', 'priority-support'] })).body).toMatchObject({ version: 3, name: 'Pro+', features: ['sso', 'priority-support'] });
    const versions = await versionsOf(plan.id);
    expect(versions.data.map((x) => [x.version, x.name, x.features])).toEqual([
      [1, 'Pro', ['sso']],
      [2, 'Pro+', ['sso']],
      [3, 'Pro+', ['sso', 'priority-support']],
    ]);
  });

  test('a patch that changes nothing returns the plan without a new version, event or audit entry', async () => {
    const plan = await create();
    const res = await patch(plan.id, { price_amount: plan.price.amount, currency: 'eur', name: plan.name, features: plan.features, quota_policy: plan.quota_policy });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(plan);
    expect((await versionsOf(plan.id)).data.map((x) => x.version)).toEqual([1]);
    expect((await eventsOf(plan.id)).map((e) => e.type)).toEqual(['plan.created']);
    const audit = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${plan.id}`);
    expect(audit.body.data.map((a: { action: string }) => a.action)).toEqual(['plan.create']);
  });

  test('concurrent changes each get their own version; none is lost', async () => {
    const plan = await create({ price_amount: 100 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => patch(plan.id, { price_amount: 100 + i })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.map((r) => r.body.version).sort()).toEqual([2, 3, 4, 5, 6]);
    const versions = (await versionsOf(plan.id)).data;
    expect(versions.map((x) => x.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(versions.slice(1).map((x) => x.price.amount).sort()).toEqual([101, 102, 103, 104, 105]);
    expect((await p.call<PlanResource>('GET', `/v1/plans/${plan.id}`)).body.version).toBe(6);
    expect((await eventsOf(plan.id)).map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('versions page oldest first with a cursor, each exactly once', async () => {
    const plan = await create({ price_amount: 1000 });
    for (let i = 1; i <= 4; i++) expect((await patch(plan.id, { price_amount: 1000 + i })).status).toBe(200);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await versionsOf(plan.id, `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages++;
      expect(page.has_more).toBe(page.next_cursor !== null);
      seen.push(...page.data.map((x) => x.version));
      cursor = page.next_cursor;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('archiving', () => {
  test('archives an active plan; it stays readable but cannot be updated (409)', async () => {
    const plan = await create();
    await patch(plan.id, { price_amount: 9900 });
    const res = await p.call<PlanResource>('POST', `/v1/plans/${plan.id}/archive`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: plan.id, status: 'archived', version: 2, price: { amount: 9900, currency: 'EUR' } });
    expect(new Date(res.body.archived_at!).toISOString()).toBe(res.body.archived_at!);
    expect(res.body.updated_at).toBe(res.body.archived_at!);

    expect((await p.call('GET', `/v1/plans/${plan.id}`)).body).toEqual(res.body);
    expect((await p.call('GET', `/v1/plans/${plan.id}?version=1`)).body).toMatchObject({ status: 'archived', version: 1, price: { amount: 4900 } });

    const refused = await patch<Problem>(plan.id, { price_amount: 1 });
    expectProblem(refused, 409, 'invalid_transition');
    expect(refused.body.instance).toBe(`/v1/plans/${plan.id}`);
    expectProblem(await patch(plan.id, { name: plan.name }), 409, 'invalid_transition');
    expect((await versionsOf(plan.id)).data.map((x) => x.version)).toEqual([1, 2]);
  });

  test('archiving twice is a 409 and changes nothing', async () => {
    const plan = await create();
    const first = await p.call('POST', `/v1/plans/${plan.id}/archive`);
    expect(first.status).toBe(200);
    const again = await p.call('POST', `/v1/plans/${plan.id}/archive`);
    expectProblem(again, 409, 'invalid_transition');
    expect(again.body.current_status).toBe('archived');
    expect((await p.call('GET', `/v1/plans/${plan.id}`)).body).toEqual(first.body);
    expect((await eventsOf(plan.id)).filter((e) => e.type === 'plan.archived')).toHaveLength(1);
  });

  test('an archived plan keeps its code', async () => {
    const plan = await create();
    await p.call('POST', `/v1/plans/${plan.id}/archive`);
    expectProblem(await p.call('POST', '/v1/plans', { body: planInput({ code: plan.code }) }), 409, 'conflict');
  });
});

describe('listing', () => {
  test('filters by status and code, each plan at its current version', async () => {
    const a = await create();
    const b = await create();
    await patch(b.id, { price_amount: 7700 });
    await p.call('POST', `/v1/plans/${b.id}/archive`);

    expect((await list(`code=${a.code}`)).data.map((x) => x.id)).toEqual([a.id]);
    const [bListed] = (await list(`code=${b.code.toUpperCase()}`)).data;
    expect(bListed).toMatchObject({ id: b.id, status: 'archived', version: 2, price: { amount: 7700 } });
    expect((await list(`code=${a.code}&status=archived`)).data).toEqual([]);
    expect((await list(`code=${b.code}&status=archived`)).data.map((x) => x.id)).toEqual([b.id]);

    const active = (await list('status=active&limit=100')).data;
    expect(active.every((x) => x.status === 'active')).toBe(true);
    expect(active.map((x) => x.id)).toContain(a.id);
    expect(active.map((x) => x.id)).not.toContain(b.id);
    expect((await list('code=no-such-plan')).data).toEqual([]);
  });

  test('cursor pagination walks every plan exactly once, newest first', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await create()).id);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      all.push(...page.data.map((x) => x.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([...all].sort().reverse());
    expect(all.slice(0, 5)).toEqual([...created].reverse());
    expect(all).toEqual((await list('limit=100')).data.map((x) => x.id));
  });
});

describe('events and audit', () => {
  test('plan.created, plan.updated and plan.archived appear in order under the plan id', async () => {
    const plan = await create();
    await patch(plan.id, { trial_days: 30 });
    await patch(plan.id, { quota_policy: 'block' });
    await p.call('POST', `/v1/plans/${plan.id}/archive`);

    const events = await eventsOf(plan.id);
    expect(events.map((e) => [e.type, e.sequence])).toEqual([
      ['plan.created', 1],
      ['plan.updated', 2],
      ['plan.updated', 3],
      ['plan.archived', 4],
    ]);
    expect(events.map((e) => e.data.plan.version)).toEqual([1, 2, 3, 3]);
    expect(events[1]!.data).toMatchObject({ previous_version: 1, changed: ['trial_days'], plan: { trial_days: 30 } });
    expect(events[2]!.data).toMatchObject({ previous_version: 2, changed: ['quota_policy'], plan: { quota_policy: 'block', trial_days: 30 } });
    expect(events[3]!.data.plan).toMatchObject({ id: plan.id, status: 'archived' });
  });

  test('every write is audited with its actor', async () => {
    const plan = await create();
    await patch(plan.id, { price_amount: 1 });
    await p.call('POST', `/v1/plans/${plan.id}/archive`);
    const res = await p.call<Page<AuditEntryResource>>('GET', `/v1/audit?target_id=${plan.id}`);
    expect(res.status).toBe(200);
    const entries = res.body.data;
    expect(entries.map((e) => e.action)).toEqual(['plan.archive', 'plan.update', 'plan.create']);
    expect(entries.every((e) => e.target_type === 'plan' && e.actor.startsWith('op_'))).toBe(true);
    expect(entries[1]!.data).toEqual({ changed: ['price_amount'], version: 2, previous_version: 1 });
  });
});

describe('access', () => {
  test('a viewer reads plans but cannot create, update or archive them (403)', async () => {
    const viewer = await p.tokenFor('viewer');
    const plan = await create();
    expect((await p.call('GET', '/v1/plans', { token: viewer })).status).toBe(200);
    expect((await p.call('GET', `/v1/plans/${plan.id}`, { token: viewer })).status).toBe(200);
    expect((await p.call('GET', `/v1/plans/${plan.id}/versions`, { token: viewer })).status).toBe(200);
    const body = planInput();
    expectProblem(await p.call('POST', '/v1/plans', { token: viewer, body }), 403, 'forbidden');
    expectProblem(await p.call('PATCH', `/v1/plans/${plan.id}`, { token: viewer, body: { price_amount: 1 } }), 403, 'forbidden');
    expectProblem(await p.call('POST', `/v1/plans/${plan.id}/archive`, { token: viewer }), 403, 'forbidden');
    expect((await list(`code=${body.code}`)).data).toEqual([]);
    expect((await p.call('GET', `/v1/plans/${plan.id}`)).body).toEqual(plan);
  });

  test('an operator writes plans', async () => {
    const operator = await p.tokenFor('operator');
    const res = await p.call<PlanResource>('POST', '/v1/plans', { token: operator, body: planInput() });
    expect(res.status).toBe(201);
    expect((await p.call('PATCH', `/v1/plans/${res.body.id}`, { token: operator, body: { name: 'Ops' } })).status).toBe(200);
    expect((await p.call('POST', `/v1/plans/${res.body.id}/archive`, { token: operator })).status).toBe(200);
  });

  test('without a token every plan route is a 401', async () => {
    expectProblem(await p.call('GET', '/v1/plans', { token: null }), 401, 'unauthorized');
    expectProblem(await p.call('POST', '/v1/plans', { token: null, body: planInput() }), 401, 'unauthorized');
  });
});

describe('OpenAPI', () => {
  test('documents every plan route with the validating schemas', async () => {
    const spec = (await p.call<OpenApiDocument>('GET', '/openapi.json', { token: null })).body;
    expect(spec.paths['/v1/plans']!.post).toBeTruthy();
    expect(spec.paths['/v1/plans']!.get).toBeTruthy();
    expect(spec.paths['/v1/plans/{id}']!.get).toBeTruthy();
    expect(spec.paths['/v1/plans/{id}']!.patch).toBeTruthy();
    expect(spec.paths['/v1/plans/{id}/versions']!.get).toBeTruthy();
    expect(spec.paths['/v1/plans/{id}/archive']!.post).toBeTruthy();
    const body = spec.paths['/v1/plans']!.post!.requestBody!.content['application/json']!.schema;
    expect(body.required.sort()).toEqual(['code', 'currency', 'interval', 'name', 'price_amount']);
    expect(body.properties.interval!.enum).toEqual(['month', 'year']);
    expect(body.properties.quota_policy!.enum).toEqual(['overage', 'block']);
    const params = spec.paths['/v1/plans/{id}']!.get!.parameters!.map((x) => `${x.in}:${x.name}`);
    expect(params).toEqual(expect.arrayContaining(['path:id', 'query:version']));
  });
});

describe('the default quota policy', () => {
  test('a plan created without quota_policy and the dashboard form that creates plans start from the same policy', async () => {
    const { quota_policy: _omitted, ...withoutPolicy } = planInput();
    const created = await p.call<PlanResource>('POST', '/v1/plans', { body: withoutPolicy });
    expect(created.status).toBe(201);

    const token = await p.tokenFor('operator');
    const form = await p.app.request('/admin/plans', { headers: { Cookie: `admin_session=${token}` } });
    expect(form.status).toBe(200);
    const select = /<select id="quota_policy"[^>]*>(.*?)<\/select>/s.exec(await form.text())?.[1] ?? '';
    // What a browser shows: the option marked selected, else the first.
    const chosen = /<option selected>([^<]+)<\/option>/.exec(select)?.[1] ?? /<option[^>]*>([^<]+)<\/option>/.exec(select)?.[1];
    expect(chosen).toBe(created.body.quota_policy);
  });
});

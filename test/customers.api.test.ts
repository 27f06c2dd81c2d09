import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { runBillingCycle } from '../src/billing/cycle.ts';
import { createTestPlatform, customerInput, type ApiResponse, type TestPlatform } from './harness.ts';
import type { Page } from '../db/paging.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { EventType } from '../src/events/catalog.ts';
import type { TypedEventResource } from '../src/events/contract.ts';
import type { Problem } from '../src/http/problem.ts';
import type { ErrorCode } from '../src/kernel/errors.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { UsageBatchResource } from '../src/usage/contract.ts';
import type { UserResource } from '../src/users/contract.ts';

let p: TestPlatform;
beforeAll(async () => {
  // A review window, so a draft invoice stays a draft until finalized (the erasure test needs one).
  p = await createTestPlatform({ env: { INVOICE_DRAFT_MINUTES: '60' } });
});
afterAll(() => p.close());

/** A short random marker so filters in this file only see the customers of one test. */
const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 10);

async function onboard(overrides: Record<string, unknown> = {}) {
  const res = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput(overrides) });
  expect(res.status).toBe(201);
  return res.body;
}

async function eventsOf<T extends EventType = EventType>(id: string, type?: T) {
  const res = await p.call<Page<TypedEventResource<T>>>('GET', `/v1/events?subject=${id}&limit=100${type ? `&type=${type}` : ''}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function list(query: string) {
  const res = await p.call<Page<CustomerResource>>('GET', `/v1/customers?${query}`);
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

describe('onboarding', () => {
  test('answers 201 with the customer resource, normalising email and country', async () => {
    const name = `Northwind ${tag()}`;
    const res = await p.call<CustomerResource>('POST', '/v1/customers', {
      body: { name, email: `  Billing.${tag()}@Northwind.EXAMPLE `, kind: 'institution', country: 'fr', phone: '+33123456789', metadata: { crm_id: 'A-1', employees: 40 } },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toStartWith('application/json');
    const c = res.body;
    expect(Object.keys(c).sort()).toEqual(
      ['country', 'created_at', 'currency', 'email', 'erased_at', 'id', 'kind', 'max_subscriptions', 'metadata', 'name', 'object', 'payment_method', 'phone', 'segment', 'status', 'tax_rate_bps', 'test_clock_id', 'updated_at', 'version'].sort(),
    );
    expect(c.id).toMatch(/^cus_[0-9A-Z]{26}$/);
    expect(c).toMatchObject({
      object: 'customer',
      name,
      kind: 'institution',
      country: 'FR',
      phone: '+33123456789',
      metadata: { crm_id: 'A-1', employees: 40 },
      status: 'onboarded',
      segment: 'bronze',
      version: 1,
      erased_at: null,
    });
    expect(c.email).toMatch(/^billing\.[0-9a-f]{10}@northwind\.example$/);
    expect(new Date(c.created_at).toISOString()).toBe(c.created_at);
    expect(c.updated_at).toBe(c.created_at);

    const onboarded = await eventsOf(c.id, 'customer.onboarded');
    expect(onboarded).toHaveLength(1);
    expect(onboarded[0]!.data.customer).toMatchObject({ id: c.id, email: c.email, name, status: 'onboarded' });
  });

  test('a second live customer with the same email is a 409; once the first is erased the email is free', async () => {
    const email = `dup-${tag()}@acme.example`;
    const first = await onboard({ email });
    const again = await p.call('POST', '/v1/customers', { body: customerInput({ email: email.toUpperCase() }) });
    expectProblem(again, 409, 'conflict');
    expect(again.body.detail).toContain(email);
    expect((await list(`email=${email}`)).data.map((c) => c.id)).toEqual([first.id]);

    expect((await p.call('POST', `/v1/customers/${first.id}/erase`)).status).toBe(200);
    const reused = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ email }) });
    expect(reused.status).toBe(201);
    expect(reused.body.id).not.toBe(first.id);
    expect((await list(`email=${email}`)).data.map((c) => c.id)).toEqual([reused.body.id]);
  });
});

describe('concurrent onboarding', () => {
  test('several onboardings with one email at once: exactly one 201, the others 409', async () => {
    const email = `race-${tag()}@acme.example`;
    const results = await Promise.all(Array.from({ length: 6 }, () => p.call('POST', '/v1/customers', { body: customerInput({ email }) })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expectProblem(r, 409, 'conflict');
    expect((await list(`email=${email}`)).data).toHaveLength(1);
  });
});

describe('reading', () => {
  test('GET by id returns the customer as created', async () => {
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    const got = await p.call('GET', `/v1/customers/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
  });

  test('an unknown id is a 404 problem, a malformed id a 400 naming the id', async () => {
    const missing = await p.call('GET', '/v1/customers/cus_00000000000000000000000000');
    expectProblem(missing, 404, 'not_found');
    expect(missing.body.instance).toBe('/v1/customers/cus_00000000000000000000000000');

    const malformed = await p.call('GET', '/v1/customers/not-an-id');
    expectProblem(malformed, 400, 'validation');
    expect(malformed.body.errors!.map((e) => e.field)).toEqual(['id']);
  });

  test('cursor pagination walks every customer exactly once, newest first', async () => {
    const marker = tag();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await onboard({ name: `Pager ${marker} ${i}` })).id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`q=${marker}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages++;
      expect(page.data.length).toBeLessThanOrEqual(3);
      expect(page.has_more).toBe(page.next_cursor !== null);
      seen.push(...page.data.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor && pages < 10);

    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...created].reverse());
  });

  test('paginating the unfiltered list neither repeats nor skips a customer', async () => {
    for (let i = 0; i < 5; i++) await onboard();
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...page.data.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor);
    const oneShot = (await list('limit=100')).data.map((c) => c.id);
    expect(all.length).toBeLessThan(100);
    expect(all).toEqual(oneShot);
    expect(new Set(all).size).toBe(all.length);
  });

  test('filters by status, segment, kind and exact email', async () => {
    const marker = tag();
    const a = await onboard({ name: `Filter ${marker} a`, kind: 'sme' });
    const b = await onboard({ name: `Filter ${marker} b`, kind: 'individual' });
    const c = await onboard({ name: `Filter ${marker} c`, kind: 'institution' });
    await p.call('POST', `/v1/customers/${b.id}/activate`);
    await p.call('POST', `/v1/customers/${c.id}/activate`);
    await p.call('POST', `/v1/customers/${c.id}/promote`);

    const ids = async (query: string) => (await list(`q=${marker}&${query}`)).data.map((x) => x.id).sort();
    expect(await ids('status=onboarded')).toEqual([a.id]);
    expect(await ids('status=active')).toEqual([b.id, c.id].sort());
    expect(await ids('segment=silver')).toEqual([c.id]);
    expect(await ids('segment=bronze')).toEqual([a.id, b.id].sort());
    expect(await ids('kind=individual')).toEqual([b.id]);
    expect(await ids('status=active&kind=sme')).toEqual([]);

    const byEmail = await list(`email=${encodeURIComponent(a.email!.toUpperCase())}`);
    expect(byEmail.data.map((x) => x.id)).toEqual([a.id]);
    expect((await list(`email=nobody-${marker}@nowhere.example`)).data).toEqual([]);
  });

  test('q matches a substring of the name or the email, ignoring case', async () => {
    const marker = tag();
    const byName = await onboard({ name: `Quasar ${marker} Holdings` });
    const byMail = await onboard({ name: 'Somebody Else', email: `finance-${marker}@quasar.example` });

    const ids = async (q: string) => (await list(`q=${encodeURIComponent(q)}`)).data.map((x) => x.id).sort();
    expect(await ids(marker)).toEqual([byName.id, byMail.id].sort());
    expect(await ids(`QUASAR ${marker.toUpperCase()}`)).toEqual([byName.id]);
    expect(await ids(`${marker.toUpperCase()} hold`)).toEqual([byName.id]);
    expect(await ids(`FINANCE-${marker.toUpperCase()}@`)).toEqual([byMail.id]);
  });

  test('% and _ in q are literal characters, not wildcards', async () => {
    const marker = tag();
    const percent = await onboard({ name: `Growth 100% ${marker}` });
    await onboard({ name: `Growth 1000 ${marker}` });
    const underscore = await onboard({ name: `Snake_case ${marker}` });
    await onboard({ name: `Snakeycase ${marker}` });

    const ids = async (q: string) => (await list(`q=${encodeURIComponent(q)}`)).data.map((x) => x.id);
    expect(await ids(`100% ${marker}`)).toEqual([percent.id]);
    expect(await ids(`%${marker}`)).toEqual([]);
    expect(await ids(`Snake_case ${marker}`)).toEqual([underscore.id]);
  });

  test('search follows renames and erasure, takes quotes literally, and short text still matches', async () => {
    const marker = tag();
    const c = await onboard({ name: `Orchid "${marker}" Labs` });
    const ids = async (q: string) => (await list(`q=${encodeURIComponent(q)}`)).data.map((x) => x.id);
    expect(await ids(`"${marker}"`)).toEqual([c.id]);
    expect(await ids(`orchid "${marker.toUpperCase()}`)).toEqual([c.id]);
    // Under three characters there is no trigram to look up: the scan still finds it.
    const short = await onboard({ name: `Zq${marker}` });
    expect((await ids('Zq')).includes(short.id)).toBe(true);

    expect((await p.call('PATCH', `/v1/customers/${c.id}`, { body: { name: `Tulip ${marker} Labs` } })).status).toBe(200);
    expect(await ids(`Orchid "${marker}`)).toEqual([]);
    expect(await ids(`tulip ${marker}`)).toEqual([c.id]);

    expect((await p.call('POST', `/v1/customers/${c.id}/erase`)).status).toBe(200);
    expect(await ids(`tulip ${marker}`)).toEqual([]);
  });
});

describe('updating', () => {
  test('PATCH changes the given fields, bumps the version and emits customer.updated naming them', async () => {
    const c = await onboard({ phone: '+4930111111' });
    const newName = `Renamed ${tag()}`;
    const res = await p.call('PATCH', `/v1/customers/${c.id}`, { body: { name: newName, phone: '+4930222222', metadata: { tier: 'x' } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: c.id, name: newName, phone: '+4930222222', metadata: { tier: 'x' }, email: c.email, version: 2 });

    const got = await p.call('GET', `/v1/customers/${c.id}`);
    expect(got.body).toEqual(res.body);

    const updated = await eventsOf(c.id, 'customer.updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]!.data.changed.sort()).toEqual(['metadata', 'name', 'phone']);
    expect(updated[0]!.data.customer).toMatchObject({ id: c.id, name: newName, phone: '+4930222222' });

    const cleared = await p.call('PATCH', `/v1/customers/${c.id}`, { body: { phone: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ phone: null, version: 3 });
    expect(await eventsOf(c.id, 'customer.updated')).toHaveLength(2);
  });

  test('PATCH to another live customer’s email is a 409 and changes nothing', async () => {
    const a = await onboard();
    const b = await onboard();
    const res = await p.call<CustomerResource>('PATCH', `/v1/customers/${b.id}`, { body: { email: a.email } });
    expectProblem(res, 409, 'conflict');
    const got = await p.call('GET', `/v1/customers/${b.id}`);
    expect(got.body).toMatchObject({ email: b.email, version: 1 });
    expect(await eventsOf(b.id, 'customer.updated')).toHaveLength(0);
  });

  test('PATCH with an empty body or an unknown field is a 400 and changes nothing', async () => {
    const c = await onboard();
    const empty = await p.call('PATCH', `/v1/customers/${c.id}`, { body: {} });
    expectProblem(empty, 400, 'validation');
    expect(empty.body.errors!.length).toBeGreaterThan(0);

    const unknown = await p.call('PATCH', `/v1/customers/${c.id}`, { body: { name: 'Fine', status: 'active' } });
    expectProblem(unknown, 400, 'validation');
    expect(unknown.body.errors!.map((e) => e.field)).toContain('status');

    const got = await p.call('GET', `/v1/customers/${c.id}`);
    expect(got.body).toMatchObject({ name: c.name, status: 'onboarded', version: 1 });
    expect(await eventsOf(c.id, 'customer.updated')).toHaveLength(0);
  });

  test('PATCH of an unknown customer is a 404', async () => {
    expectProblem(await p.call('PATCH', '/v1/customers/cus_00000000000000000000000000', { body: { name: 'X' } }), 404, 'not_found');
  });
});

describe('lifecycle transitions', () => {
  const move = <T = CustomerResource>(id: string, transition: string) => p.call<T>('POST', `/v1/customers/${id}/${transition}`);

  test('onboarded → active → deactivated → active, each with its event and a new version', async () => {
    const c = await onboard();
    const activated = await move(c.id, 'activate');
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ status: 'active', version: 2 });

    const deactivated = await move(c.id, 'deactivate');
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ status: 'deactivated', version: 3 });

    const reactivated = await move(c.id, 'activate');
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toMatchObject({ status: 'active', version: 4 });

    const types = (await eventsOf(c.id)).map((e) => e.type);
    expect(types).toEqual(['customer.onboarded', 'user.created', 'customer.activated', 'customer.deactivated', 'customer.activated']);
    const activations = await eventsOf(c.id, 'customer.activated');
    expect(activations.map((e) => e.data.previous_status)).toEqual(['onboarded', 'deactivated']);
  });

  test('promote moves an active customer one segment at a time up to platinum, then 409', async () => {
    const c = await onboard();
    await move(c.id, 'activate');
    const segments: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await move(c.id, 'promote');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('active');
      segments.push(res.body.segment);
    }
    expect(segments).toEqual(['silver', 'gold', 'platinum']);

    const top = await move(c.id, 'promote');
    expectProblem(top, 409, 'invalid_transition');
    const got = await p.call('GET', `/v1/customers/${c.id}`);
    expect(got.body).toMatchObject({ segment: 'platinum', version: 5 });
    const promotions = await eventsOf(c.id, 'customer.promoted');
    expect(promotions.map((e) => [e.data.from, e.data.to])).toEqual([['bronze', 'silver'], ['silver', 'gold'], ['gold', 'platinum']]);
  });

  test('a promotion reason is carried in the event', async () => {
    const c = await onboard();
    await move(c.id, 'activate');
    const res = await p.call<CustomerResource>('POST', `/v1/customers/${c.id}/promote`, { body: { reason: 'strong usage' } });
    expect(res.status).toBe(200);
    expect((await eventsOf(c.id, 'customer.promoted'))[0]!.data.reason).toBe('strong usage');
  });

  test('erase is allowed from onboarded, active and deactivated', async () => {
    const fresh = await onboard();
    const active = await onboard();
    await move(active.id, 'activate');
    const inactive = await onboard();
    await move(inactive.id, 'activate');
    await move(inactive.id, 'deactivate');
    for (const c of [fresh, active, inactive]) {
      const res = await move(c.id, 'erase');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('erased');
      expect(res.body.erased_at).not.toBeNull();
    }
  });

  // Every move that the state machine does not allow, including a move to the current state.
  const illegal: Record<string, { setup: string[]; refused: string[] }> = {
    onboarded: { setup: [], refused: ['deactivate', 'promote'] },
    active: { setup: ['activate'], refused: ['activate'] },
    deactivated: { setup: ['activate', 'deactivate'], refused: ['deactivate', 'promote'] },
    erased: { setup: ['erase'], refused: ['activate', 'deactivate', 'promote', 'erase'] },
  };
  for (const [state, { setup, refused }] of Object.entries(illegal)) {
    for (const transition of refused) {
      test(`${transition} from ${state} is a 409 invalid_transition and changes nothing`, async () => {
        const c = await onboard();
        for (const step of setup) expect((await move(c.id, step)).status).toBe(200);
        const before = await p.call<CustomerResource>('GET', `/v1/customers/${c.id}`);
        expect<string>(before.body.status).toBe(state);
        const eventCount = (await eventsOf(c.id)).length;

        const res = await move<Problem>(c.id, transition);
        expectProblem(res, 409, 'invalid_transition');
        expect(res.body.type).toBe('/problems/invalid_transition');
        expect(res.body.instance).toBe(`/v1/customers/${c.id}/${transition}`);

        const after = await p.call('GET', `/v1/customers/${c.id}`);
        expect(after.body).toEqual(before.body);
        expect(await eventsOf(c.id)).toHaveLength(eventCount);
      });
    }
  }

  test('an erased customer cannot be updated (409)', async () => {
    const c = await onboard();
    await move(c.id, 'erase');
    expectProblem(await p.call('PATCH', `/v1/customers/${c.id}`, { body: { name: 'Back again' } }), 409, 'invalid_transition');
  });

  test('transitions of an unknown customer are 404', async () => {
    for (const t of ['activate', 'deactivate', 'promote', 'erase']) {
      expectProblem(await move('cus_00000000000000000000000000', t), 404, 'not_found');
    }
  });
});

describe('erasure', () => {
  test('removes personal data from the customer, its users and its stored events; id and events remain', async () => {
    const name = `Erasable ${tag()}`;
    const c = await onboard({ name, phone: '+4915112345678' });
    const invitee = `colleague-${tag()}@acme.example`;
    expect((await p.call('POST', `/v1/customers/${c.id}/users`, { body: { email: invitee, name: 'Pat Colleague', role: 'member' } })).status).toBe(201);
    await p.call('PATCH', `/v1/customers/${c.id}`, { body: { name: `${name} GmbH` } });
    const before = await eventsOf(c.id);
    expect(JSON.stringify(before)).toContain(c.email!);

    const erased = await p.call('POST', `/v1/customers/${c.id}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ id: c.id, status: 'erased', name: null, email: null, phone: null });

    const got = await p.call('GET', `/v1/customers/${c.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: c.id, status: 'erased', name: null, email: null, phone: null });

    expect((await p.call<Page<UserResource>>('GET', `/v1/customers/${c.id}/users`)).body.data).toEqual([]);
    expect((await list(`email=${encodeURIComponent(c.email!)}`)).data).toEqual([]);
    expect((await list(`q=${encodeURIComponent(name)}`)).data).toEqual([]);

    const after = await eventsOf(c.id);
    expect(after.map((e) => e.id)).toEqual([...before.map((e) => e.id), after.at(-1)!.id]);
    expect(after.at(-1)!.type).toBe('customer.erased');
    const text = JSON.stringify(after);
    for (const personal of [c.email, name, '+4915112345678', invitee, 'Pat Colleague']) expect(text).not.toContain(personal);

    const onboarded = after.find((e) => e.type === 'customer.onboarded')!;
    expect(onboarded.data.customer).toMatchObject({ id: c.id, email: null, name: null, phone: null });
    const invited = after.find((e) => e.type === 'user.invited')!;
    expect(invited.data.user).toMatchObject({ email: null, name: null, role: 'member' });
    const owner = after.find((e) => e.type === 'user.created')!;
    expect(owner.data.user).toMatchObject({ email: null, name: null, role: 'owner' });
  });

  test('replaying a stored response after erasure does not bring the personal data back', async () => {
    const key = `erase-${tag()}`;
    const name = `Replayable ${tag()}`;
    const input = customerInput({ name, phone: '+4917612345678', metadata: { contact: 'Dr. Private' } });
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: input, headers: { 'Idempotency-Key': key } });
    expect(created.status).toBe(201);
    const userKey = `erase-user-${tag()}`;
    const userBody = { email: `member-${tag()}@acme.example`, name: 'Mo Member', role: 'member' };
    expect((await p.call('POST', `/v1/customers/${created.body.id}/users`, { body: userBody, headers: { 'Idempotency-Key': userKey } })).status).toBe(201);
    // A refused duplicate names the email in its stored problem.
    const dupKey = `erase-dup-${tag()}`;
    const dupInput = customerInput({ email: input.email });
    expect((await p.call('POST', '/v1/customers', { body: dupInput, headers: { 'Idempotency-Key': dupKey } })).status).toBe(409);

    expect((await p.call('POST', `/v1/customers/${created.body.id}/erase`)).status).toBe(200);

    const replays = [
      await p.call('POST', '/v1/customers', { body: input, headers: { 'Idempotency-Key': key } }),
      await p.call('POST', `/v1/customers/${created.body.id}/users`, { body: userBody, headers: { 'Idempotency-Key': userKey } }),
      await p.call('POST', '/v1/customers', { body: dupInput, headers: { 'Idempotency-Key': dupKey } }),
    ];
    expect(replays.map((r) => r.status)).toEqual([201, 201, 409]);
    for (const r of replays) expect(r.headers.get('idempotency-replayed')).toBe('true');
    expect(replays[0]!.body).toMatchObject({ id: created.body.id, name: null, email: null, phone: null, country: null, metadata: {} });
    const text = JSON.stringify(replays.map((r) => r.body));
    for (const personal of [input.email, name, '+4917612345678', userBody.email, 'Mo Member', 'Dr. Private']) expect(text).not.toContain(personal);
    // The replay still creates nothing new.
    expect((await list(`email=${encodeURIComponent(input.email)}`)).data).toEqual([]);
  });

  test('erasure cancels every live subscription, voids drafts, keeps issued invoices open without collecting them, and refuses new usage', async () => {
    const plan = async (trialDays: number) =>
      (await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `e-${tag()}`, name: 'Erasable', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: trialDays, included_tokens: 1000 } })).body.id;
    const subscribe = async (customerId: string, planId: string) => (await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customerId, plan_id: planId } })).body;
    const invoicesOf = async (customerId: string) => (await p.call<Page<InvoiceResource>>('GET', `/v1/invoices?customer_id=${customerId}&limit=100`)).body.data;

    const c = await onboard({ payment_method: 'tok_decline' });
    expect((await p.call('PATCH', `/v1/customers/${c.id}`, { body: { max_subscriptions: 3 } })).status).toBe(200);
    // One whose first invoice was issued (finalized, its charge declined), one trialing, one with its first invoice still a draft.
    const issued = await subscribe(c.id, await plan(0));
    const first = (await invoicesOf(c.id)).find((i) => i.subscription_id === issued.id)!;
    expect((await p.call('POST', `/v1/invoices/${first.id}/finalize`)).status).toBe(200);
    await runBillingCycle(p.deps);
    const trialing = await subscribe(c.id, await plan(14));
    const drafted = await subscribe(c.id, await plan(0));
    expect([issued.status, trialing.status, drafted.status]).toEqual(['incomplete', 'trialing', 'incomplete']);
    const before = await invoicesOf(c.id);
    const open = before.find((i) => i.subscription_id === issued.id)!;
    const draft = before.find((i) => i.subscription_id === drafted.id)!;
    expect([open.status, draft.status]).toEqual(['open', 'draft']);
    expect(open.auto_collect).toBe(true);

    expect((await p.call('POST', `/v1/customers/${c.id}/erase`)).status).toBe(200);

    for (const sub of [issued, trialing, drafted]) {
      expect((await p.call<SubscriptionResource>('GET', `/v1/subscriptions/${sub.id}`)).body.status).toBe('canceled');
      const canceled = await eventsOf(sub.id, 'subscription.canceled');
      expect(canceled.map((e) => [e.data.reason, e.data.at_period_end])).toEqual([['customer_erased', false]]);
      expect((await eventsOf(sub.id, 'subscription.ended')).map((e) => e.data.reason)).toEqual(['customer_erased']);
    }
    expect((await p.call<InvoiceResource>('GET', `/v1/invoices/${draft.id}`)).body.status).toBe('void');
    expect((await eventsOf(draft.id, 'invoice.voided'))).toHaveLength(1);
    // An issued invoice is the record of a debt: it stays open, but nothing charges it any more.
    expect((await p.call('GET', `/v1/invoices/${open.id}`)).body).toMatchObject({ status: 'open', auto_collect: false, next_attempt_at: null, amount_due: open.amount_due });
    expect(await eventsOf(open.id, 'invoice.voided')).toHaveLength(0);
    // An operator can still void it.
    expect((await p.call<InvoiceResource>('POST', `/v1/invoices/${open.id}/void`)).body.status).toBe('void');

    const usage = await p.call<UsageBatchResource>('POST', '/v1/usage', { body: { records: [{ id: `u-${tag()}`, customer_id: c.id, model: 'gpt-x', tokens: 5, occurred_at: new Date().toISOString() }] } });
    expect(usage.status).toBe(200);
    expect(usage.body.results[0]).toMatchObject({ status: 'refused', reason: 'customer_erased', subscription_id: null });
  });
});

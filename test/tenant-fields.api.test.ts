import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { count, eq } from 'drizzle-orm';
import * as v from 'valibot';
import type { Page } from '../db/paging.ts';
import { apiKeyScopes, auditLog, outbox, users } from '../db/schema/index.ts';
import type { CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import { createApp } from '../src/app.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { hashPassword } from '../src/kernel/password.ts';
import { doc } from '../src/http/openapi.ts';
import type { Problem } from '../src/http/problem.ts';
const OPERATOR_FIELD = 'only an operator may set this';
import { validate } from '../src/http/validate.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { MinimumSpendResource, UsageThresholdResource } from '../src/usage-thresholds/contract.ts';
import type { UserResource } from '../src/users/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, customerInput, type OpenApiDocument, type OpenApiOperation, type TestPlatform } from './harness.ts';

/**
 * What a tenant (a customer-scoped key, a customer's user) may write: the body fields each
 * route declares (`x-tenant-fields`); what a customer owes and how it is collected is the
 * operator's. Walks every route a tenant can write, every field of its body schema (read from
 * the OpenAPI document, not listed here), for every kind of principal.
 */
const at = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day);
const clock = manualClock(at(2026, 3, 1));
const PASSWORD = 'a-long-enough-passphrase';
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
let openapi: OpenApiDocument;

beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: createSandboxProvider() } });
  f = billingFixtures(p);
  openapi = (await p.call<OpenApiDocument>('GET', '/openapi.json', { token: null })).body;
});
afterAll(() => p.close());

interface Operation {
  route: string;
  op: OpenApiOperation;
}

/** Every operation of the document, as `METHOD /path`. */
const operationsOf = (document: OpenApiDocument): Operation[] =>
  Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));

/** The top-level fields of an operation's JSON body schema, or null when it takes no body. */
const bodyFieldsOf = (op: OpenApiOperation): string[] | null => {
  const schema = op.requestBody?.content['application/json']?.schema;
  return schema ? Object.keys(schema.properties ?? {}) : null;
};

/** A tenant can reach it: it needs a token, keys may call it, and tenants are not shut out. */
const tenantReachable = (op: OpenApiOperation) => op.security.length > 0 && !!op['x-scope'] && (op['x-tenant'] ?? 'none') !== 'none';

/** What is wrong with the document's tenant field declarations: one line per route. */
function declarationFaults(document: OpenApiDocument): string[] {
  const faults: string[] = [];
  for (const { route, op } of operationsOf(document)) {
    const fields = bodyFieldsOf(op);
    const declared = op['x-tenant-fields'] ?? null;
    if (tenantReachable(op) && fields !== null) {
      if (declared === null) faults.push(`${route}: takes a body a tenant can send and declares no tenantFields`);
      else if (declared.length === 0) faults.push(`${route}: an empty tenantFields; a route whose every field is the operator's is tenant: 'none'`);
      else for (const field of declared.filter((name) => !fields.includes(name))) faults.push(`${route}: tenantFields names ${field}, which the body does not take`);
    } else if (declared !== null) faults.push(`${route}: declares tenantFields but no tenant can send it a body`);
  }
  return faults;
}

/** Fields that set what a customer owes or how it is collected: never a tenant's on any route. */
const BILLING_TERMS = ['tax_rate_bps', 'max_subscriptions', 'trial', 'trial_days', 'coupon', 'test_clock_id', 'invoice_early', 'price_amount', 'prices', 'percent_off_bps', 'amount_off', 'included_tokens', 'overage_price_per_1k', 'quota_policy'];

describe('which body fields a tenant may send is declared on each route and shown in the API document', () => {
  test('every route a tenant can reach that takes a JSON body declares its tenant fields, each one a field of the body, none of them a billing term', () => {
    expect(declarationFaults(openapi)).toEqual([]);
    const declared = operationsOf(openapi).filter(({ op }) => op['x-tenant-fields']);
    expect(declared.length).toBeGreaterThan(10);
    for (const { route, op } of declared) {
      expect({ route, terms: op['x-tenant-fields']!.filter((field) => BILLING_TERMS.includes(field)) }).toEqual({ route, terms: [] });
      expect((op as { description?: string }).description).toContain(`may send only ${op['x-tenant-fields']!.map((field) => `\`${field}\``).join(', ')} in the body`);
    }
  });

  test('routes whose whole purpose is billing terms are shut to tenants', () => {
    const tenantOf = (route: string) => operationsOf(openapi).find((o) => o.route === route)!.op['x-tenant'];
    const billing = [
      'PUT /v1/subscriptions/{id}/minimum-spend',
      'POST /v1/subscriptions/{id}/discount',
      'DELETE /v1/subscriptions/{id}/discount',
      'POST /v1/customers/{id}/wallet/grants',
      'PUT /v1/subscriptions/{id}/entitlements/{feature}',
      'POST /v1/plans',
      'PATCH /v1/plans/{id}',
      'POST /v1/coupons',
      'POST /v1/test-clocks',
      'POST /v1/test-clocks/{id}/advance',
    ];
    expect(billing.map((route) => `${route}: ${tenantOf(route)}`)).toEqual(billing.map((route) => `${route}: none`));
  });

  test('a route added with a body but no tenant fields is caught, and refuses every field a tenant sends while a platform key gets through', async () => {
    const app = createApp(p.deps);
    app.patch(
      '/v1/customers/:id/forgotten',
      doc({ summary: 'Forgotten', tags: ['Customers'], access: 'operator', scope: 'customers:write', tenant: 'customer', success: { status: 200, description: 'ok' } }),
      validate('json', v.strictObject({ name: v.string(), tax_rate_bps: v.number() })),
      (c) => c.json({ changed: c.req.valid('json') }),
    );
    const document = (await (await app.request('/openapi.json')).json()) as OpenApiDocument;
    expect(declarationFaults(document)).toEqual(['PATCH /v1/customers/{id}/forgotten: takes a body a tenant can send and declares no tenantFields']);

    const customer = await f.customer();
    const tenant = await f.ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 't', scopes: ['customers:write'], customer_id: customer.id }, 201);
    const platform = await f.ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'p', scopes: ['customers:write'] }, 201);
    const call = async (key: string) => {
      const res = await app.request(`/v1/customers/${customer.id}/forgotten`, { method: 'PATCH', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x', tax_rate_bps: 0 }) });
      return { status: res.status, errors: ((await res.json()) as Problem).errors ?? null };
    };
    expect(await call(tenant.key)).toEqual({ status: 403, errors: [{ field: 'name', message: OPERATOR_FIELD }, { field: 'tax_rate_bps', message: OPERATOR_FIELD }] });
    expect((await call(platform.key)).status).toBe(200);
  });
});

/** Customer A: what its principals write to, and the principals themselves. */
interface World {
  customer: string;
  subscription: string;
  plan: PlanResource;
  otherPlan: PlanResource;
  coupon: string;
}

let seq = 0;
const unique = () => `${++seq}-${crypto.randomUUID().slice(0, 8)}`;

/**
 * For each route a tenant can write: where to send it (fresh resources for calls that use one
 * up) and a valid value for every field its body takes, operator's fields included.
 */
function casesFor(w: World): Record<string, { path: () => Promise<string>; sample: () => Record<string, unknown> }> {
  const subscription = async (plan = w.plan) => (await f.subscribe({ customer_id: w.customer, plan_id: plan.id })).id;
  const record = () => ({ id: `rec-${unique()}`, customer_id: w.customer, model: 'gpt-test', tokens: 10, occurred_at: new Date(clock.now()).toISOString() });
  return {
    'PATCH /v1/customers/{id}': {
      path: async () => `/v1/customers/${w.customer}`,
      sample: () => ({ name: 'Acme Renamed', email: `billing-${unique()}@acme.example`, phone: '+4930123456', payment_method: 'tok_ok', kind: 'sme', country: 'DE', metadata: { crm: 'x' }, tax_rate_bps: 1900, max_subscriptions: 100 }),
    },
    'POST /v1/customers/{id}/users': {
      path: async () => `/v1/customers/${w.customer}/users`,
      sample: () => ({ email: `mate-${unique()}@acme.example`, name: 'Mate', role: 'member', invite: true }),
    },
    'PATCH /v1/customers/{id}/users/{userId}': {
      path: async () => {
        const user = await f.ok<UserResource>('POST', `/v1/customers/${w.customer}/users`, { email: `role-${unique()}@acme.example`, name: 'Role', role: 'member' }, 201);
        return `/v1/customers/${w.customer}/users/${user.id}`;
      },
      sample: () => ({ role: 'admin' }),
    },
    'POST /v1/customers/{id}/wallet/top-ups': {
      path: async () => `/v1/customers/${w.customer}/wallet/top-ups`,
      sample: () => ({ amount: 1000, currency: 'EUR' }),
    },
    'PUT /v1/customers/{id}/wallet/auto-top-up': {
      path: async () => `/v1/customers/${w.customer}/wallet/auto-top-up`,
      sample: () => ({ enabled: false, threshold: 500, amount: 1000, currency: 'EUR' }),
    },
    'POST /v1/customers/{id}/webhooks': {
      path: async () => `/v1/customers/${w.customer}/webhooks`,
      sample: () => ({ url: 'https://hooks.example.invalid/in', event_types: ['invoice.paid'], description: 'Books', enabled: true }),
    },
    'PATCH /v1/customers/{id}/webhooks/{wid}': {
      path: async () => {
        const hook = await f.ok<{ id: string }>('POST', `/v1/customers/${w.customer}/webhooks`, { url: 'https://hooks.example.invalid/old', event_types: ['*'] }, 201);
        return `/v1/customers/${w.customer}/webhooks/${hook.id}`;
      },
      sample: () => ({ url: 'https://hooks.example.invalid/new', event_types: ['invoice.paid'], description: 'Books', enabled: true }),
    },
    'POST /v1/invoices/{id}/pay': {
      path: async () => {
        // A declined card as it subscribes leaves the first invoice open, to be paid here.
        await f.ok('PATCH', `/v1/customers/${w.customer}`, { payment_method: 'tok_decline' });
        const sub = await subscription();
        await f.ok('PATCH', `/v1/customers/${w.customer}`, { payment_method: 'tok_ok' });
        const [open] = (await f.ok<Page<InvoiceResource>>('GET', `/v1/invoices?subscription_id=${sub}`)).data;
        return `/v1/invoices/${open!.id}/pay`;
      },
      sample: () => ({ payment_method: 'tok_ok' }),
    },
    'POST /v1/subscriptions': {
      path: async () => '/v1/subscriptions',
      sample: () => ({ customer_id: w.customer, plan_id: w.plan.id, trial: false, coupon: w.coupon, currency: 'EUR', seats: 3 }),
    },
    'POST /v1/subscriptions/{id}/cancel': {
      path: async () => `/v1/subscriptions/${await subscription()}/cancel`,
      sample: () => ({ at_period_end: true }),
    },
    'POST /v1/subscriptions/{id}/change-plan': {
      path: async () => `/v1/subscriptions/${await subscription()}/change-plan`,
      sample: () => ({ plan_id: w.otherPlan.id }),
    },
    'POST /v1/subscriptions/{id}/seats': {
      path: async () => `/v1/subscriptions/${await subscription()}/seats`,
      sample: () => ({ seats: 4 }),
    },
    'POST /v1/subscriptions/{id}/usage-thresholds': {
      path: async () => `/v1/subscriptions/${w.subscription}/usage-thresholds`,
      sample: () => ({ metric: 'amount', value: 10_000, invoice_early: true }),
    },
    'POST /v1/entitlements/check': {
      path: async () => '/v1/entitlements/check',
      sample: () => ({ customer_id: w.customer, feature: 'ai_tokens', consume: 1, record_id: `chk-${unique()}`, model: 'gpt-test' }),
    },
    'POST /v1/usage': {
      path: async () => '/v1/usage',
      sample: () => ({ records: [record()] }),
    },
    'POST /v1/api-keys': {
      path: async () => '/v1/api-keys',
      sample: () => ({ name: 'gateway', scopes: ['usage:write'], customer_id: w.customer, expires_at: new Date(clock.now() + 86_400_000).toISOString() }),
    },
  };
}

const pick = (body: Record<string, unknown>, fields: readonly string[]) => Object.fromEntries(Object.entries(body).filter(([field]) => fields.includes(field)));

/** What any write leaves behind: its events and its audit entries. A refused request leaves neither. */
async function traces() {
  const [events] = await p.deps.db.select({ n: count() }).from(outbox);
  const [audit] = await p.deps.db.select({ n: count() }).from(auditLog);
  return { events: events!.n, audit: audit!.n };
}

/** A portal token of the customer's owner, who signs in with a password as a signed-up owner would. */
async function ownerTokenOf(customerId: string): Promise<string> {
  const [owner] = await p.deps.db.select().from(users).where(eq(users.customerId, customerId));
  await p.deps.db.update(users).set({ passwordHash: await hashPassword(PASSWORD, 100_000) }).where(eq(users.id, owner!.id));
  return (await f.ok<{ token: string }>('POST', '/v1/portal/login', { email: owner!.email, password: PASSWORD })).token;
}

describe('every writable field of every route a tenant can write, for every kind of principal', () => {
  let w: World;
  let cases: ReturnType<typeof casesFor>;
  let writable: { route: string; method: string; fields: string[]; allowed: string[] }[];
  const principals: Record<string, () => Promise<string>> = {};

  beforeAll(async () => {
    const plan = await f.plan({ price_amount: 2900 });
    const otherPlan = await f.plan({ price_amount: 4900 });
    const coupon = `TEN${unique().replaceAll('-', '').toUpperCase().slice(0, 8)}`;
    await f.ok('POST', '/v1/coupons', { code: coupon, name: 'Ten off', percent_off_bps: 1000, duration: 'forever' }, 201);
    const customer = await f.customer({ payment_method: 'tok_ok', tax_rate_bps: 1900 });
    // The walk subscribes the customer many times over: the operator allows it.
    await f.ok('PATCH', `/v1/customers/${customer.id}`, { max_subscriptions: 100 });
    const subscription = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
    w = { customer: customer.id, subscription: subscription.id, plan, otherPlan, coupon };
    cases = casesFor(w);
    writable = operationsOf(openapi)
      .filter(({ op }) => tenantReachable(op) && bodyFieldsOf(op) !== null)
      .map(({ route, op }) => ({ route, method: route.split(' ')[0]!, fields: bodyFieldsOf(op)!, allowed: op['x-tenant-fields'] ?? [] }));
    const key = await f.ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'tenant', scopes: apiKeyScopes, customer_id: customer.id }, 201);
    const platform = await f.ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'platform', scopes: apiKeyScopes }, 201);
    const owner = await ownerTokenOf(customer.id);
    principals['customer-scoped key'] = async () => key.key;
    principals["customer's owner (portal token)"] = async () => owner;
    principals['platform-wide key'] = async () => platform.key;
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const token = await p.tokenFor(role);
      principals[role] = async () => token;
    }
  });

  const send = async (who: string, method: string, path: string, body: unknown) =>
    p.call<Problem>(method, path, { token: await principals[who]!(), body });

  test('the walk covers every route a tenant can write, with a value for every field of each body', () => {
    expect(writable.length).toBeGreaterThan(10);
    expect(writable.map((r) => r.route).sort()).toEqual(Object.keys(cases).sort());
    for (const r of writable) expect({ route: r.route, fields: Object.keys(cases[r.route]!.sample()).sort() }).toEqual({ route: r.route, fields: [...r.fields].sort() });
  });

  for (const who of ['customer-scoped key', "customer's owner (portal token)"]) {
    test(`${who}: each field only an operator may set is refused with 403 naming it, and nothing is written`, async () => {
      const outcomes: string[] = [];
      const expected: string[] = [];
      for (const r of writable) {
        const c = cases[r.route]!;
        const sample = c.sample();
        const operators = r.fields.filter((field) => !r.allowed.includes(field));
        for (const field of operators) {
          const path = await c.path();
          const before = await traces();
          const res = await send(who, r.method, path, { ...pick(sample, r.allowed), [field]: sample[field] });
          outcomes.push(`${r.route} ${field}: ${res.status} ${res.body.code} ${JSON.stringify(res.body.errors)} ${JSON.stringify(await traces()) === JSON.stringify(before) ? 'nothing written' : 'WRITTEN'}`);
          expected.push(`${r.route} ${field}: 403 forbidden ${JSON.stringify([{ field, message: OPERATOR_FIELD }])} nothing written`);
        }
        if (operators.length > 1) {
          // All at once: every one is named.
          const res = await send(who, r.method, await c.path(), sample);
          outcomes.push(`${r.route} all: ${res.status} ${JSON.stringify(res.body.errors?.map((e) => e.field))}`);
          expected.push(`${r.route} all: 403 ${JSON.stringify(Object.keys(sample).filter((field) => operators.includes(field)))}`);
        }
      }
      expect(outcomes).toEqual(expected);
      expect(outcomes.length).toBeGreaterThan(8);
    });

    test(`${who}: a body of every field the route lets a tenant send is accepted`, async () => {
      const outcomes: string[] = [];
      for (const r of writable) {
        const c = cases[r.route]!;
        const res = await send(who, r.method, await c.path(), pick(c.sample(), r.allowed));
        outcomes.push(`${r.route}: ${res.status >= 200 && res.status < 300 ? '2xx' : `${res.status} ${JSON.stringify(res.body)}`}`);
      }
      expect(outcomes).toEqual(writable.map((r) => `${r.route}: 2xx`));
    });
  }

  for (const who of ['admin', 'operator', 'platform-wide key']) {
    test(`${who}: a body of every field the route takes is accepted, the operator's fields included`, async () => {
      const outcomes: string[] = [];
      for (const r of writable) {
        const c = cases[r.route]!;
        const res = await send(who, r.method, await c.path(), c.sample());
        outcomes.push(`${r.route}: ${res.status >= 200 && res.status < 300 ? '2xx' : `${res.status} ${JSON.stringify(res.body)}`}`);
      }
      expect(outcomes).toEqual(writable.map((r) => `${r.route}: 2xx`));
    });
  }

  test('viewer: every write is refused for its role (403), whatever the fields', async () => {
    const outcomes: string[] = [];
    for (const r of writable) {
      const res = await send('viewer', r.method, await cases[r.route]!.path(), cases[r.route]!.sample());
      outcomes.push(`${r.route}: ${res.status} ${res.body.code} ${res.body.errors ? 'names fields' : ''}`);
    }
    expect(outcomes).toEqual(writable.map((r) => `${r.route}: 403 forbidden `));
  });

  test('with its own ids, every route shut to tenants answers both tenant principals 404, as a missing route would', async () => {
    const shut = operationsOf(openapi).filter(({ op }) => op.security.length > 0 && (op['x-tenant'] ?? 'none') === 'none');
    expect(shut.length).toBeGreaterThan(30);
    const fill = (path: string) =>
      path.replaceAll(/\{(\w+)\}/g, (_, name: string, offset: number) => {
        const collection = path.slice(0, offset).split('/').filter(Boolean).at(-1);
        return collection === 'customers' ? w.customer : collection === 'subscriptions' ? w.subscription : name === 'feature' ? 'ai_tokens' : 'x';
      });
    for (const who of ['customer-scoped key', "customer's owner (portal token)"]) {
      const outcomes: string[] = [];
      for (const { route } of shut) {
        const [method, path] = route.split(' ') as [string, string];
        const res = await p.call<Problem>(method, fill(path), { token: await principals[who]!(), ...(method === 'GET' || method === 'DELETE' ? {} : { body: { amount: 0 } }) });
        outcomes.push(`${route}: ${res.status}`);
      }
      expect(outcomes).toEqual(shut.map(({ route }) => `${route}: 404`));
    }
  });
});

describe("a customer cannot rewrite its own billing terms: the operator's tax, minimum spend and thresholds hold", () => {
  test("the owner's token and the customer's customers:write and subscriptions:write keys are refused, and the renewal is billed on the operator's terms", async () => {
    /*
     * 49.00 EUR a month; the operator sets tax 19 % and a minimum spend of 500.00 EUR.
     * March's spend is the fee, 4,900: the April 1 invoice is April's fee 4,900 + March's
     * true-up 45,100 = 50,000, tax 9,500 → 59,500. Had the customer's writes gone through
     * (tax 0, no minimum) it would be 4,900.
     */
    clock.set(at(2026, 3, 1));
    const plan = await f.plan({ price_amount: 4900, trial_days: 0 });
    const customer = await f.customer({ payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
    await f.cycle();
    expect(await f.ok<SubscriptionResource>('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active' });

    // The operator's terms.
    await f.ok('PATCH', `/v1/customers/${customer.id}`, { tax_rate_bps: 1900 });
    await f.ok('PUT', `/v1/subscriptions/${sub.id}/minimum-spend`, { amount: 50_000 });
    const operators = await f.ok<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'amount', value: 1_000_000, invoice_early: true }, 201);
    expect(operators.set_by).toBe('operator');

    const owner = await ownerTokenOf(customer.id);
    const customersKey = (await f.ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'crm', scopes: ['customers:write', 'customers:read'], customer_id: customer.id }, 201)).key;
    const subscriptionsKey = (await f.ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'billing', scopes: ['subscriptions:write', 'subscriptions:read'], customer_id: customer.id }, 201)).key;
    const before = await traces();
    const as = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await p.call<Problem>(method, path, { token, ...(body === undefined ? {} : { body }) });
      return { status: res.status, code: res.body.code, fields: res.body.errors?.map((e) => e.field) ?? [] };
    };
    for (const token of [owner, customersKey]) {
      expect(await as(token, 'PATCH', `/v1/customers/${customer.id}`, { tax_rate_bps: 0 })).toEqual({ status: 403, code: 'forbidden', fields: ['tax_rate_bps'] });
      // An allowed field beside it does not carry it through: the whole request is refused.
      expect(await as(token, 'PATCH', `/v1/customers/${customer.id}`, { name: 'Cheaper Inc', tax_rate_bps: 0 })).toEqual({ status: 403, code: 'forbidden', fields: ['tax_rate_bps'] });
    }
    for (const token of [owner, subscriptionsKey]) {
      expect(await as(token, 'PUT', `/v1/subscriptions/${sub.id}/minimum-spend`, { amount: 0 })).toEqual({ status: 404, code: 'not_found', fields: [] });
      expect(await as(token, 'DELETE', `/v1/subscriptions/${sub.id}/usage-thresholds/${operators.id}`)).toEqual({ status: 403, code: 'forbidden', fields: [] });
      expect(await as(token, 'POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { metric: 'tokens', value: 10, invoice_early: true })).toEqual({ status: 403, code: 'forbidden', fields: ['invoice_early'] });
    }
    expect(await traces()).toEqual(before);

    // Its own alerts stay its own to manage.
    const own = await p.call<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { token: subscriptionsKey, body: { metric: 'tokens', value: 1_000_000 } });
    expect([own.status, own.body.set_by, own.body.invoice_early]).toEqual([201, 'customer', false]);
    expect((await p.call('DELETE', `/v1/subscriptions/${sub.id}/usage-thresholds/${own.body.id}`, { token: owner })).status).toBe(200);

    // The operator's terms are as the operator set them.
    expect(await f.ok<CustomerResource>('GET', `/v1/customers/${customer.id}`)).toMatchObject({ tax_rate_bps: 1900, name: customer.name });
    expect((await f.ok<MinimumSpendResource>('GET', `/v1/subscriptions/${sub.id}/minimum-spend`)).amount).toEqual({ amount: 50_000, currency: 'EUR' });
    expect((await f.ok<Page<UsageThresholdResource>>('GET', `/v1/subscriptions/${sub.id}/usage-thresholds`)).data.map((t) => [t.id, t.set_by])).toEqual([[operators.id, 'operator']]);

    clock.set(at(2026, 4, 1));
    await f.cycle();
    const renewal = (await f.invoices(`subscription_id=${sub.id}`)).at(-1)!;
    expect(renewal.lines.map((l) => [l.kind, l.amount])).toEqual([
      ['subscription_fee', 4900],
      ['minimum_spend_true_up', 45_100],
    ]);
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', subtotal: 50_000, tax: 9500, total: 59_500 });
  });

  test('an operator deletes any threshold, a platform-wide key too: they are the operator\'s programs', async () => {
    clock.set(at(2026, 5, 1));
    const plan = await f.plan();
    const customer = await f.customer({ payment_method: 'tok_ok' });
    const sub = await f.subscribe({ customer_id: customer.id, plan_id: plan.id });
    const platform = (await f.ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'ops-bot', scopes: ['subscriptions:write'] }, 201)).key;
    const byKey = await p.call<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { token: platform, body: { metric: 'amount', value: 5000, invoice_early: true } });
    expect([byKey.status, byKey.body.set_by]).toEqual([201, 'operator']);
    const tenantKey = (await f.ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'own', scopes: ['subscriptions:write'], customer_id: customer.id }, 201)).key;
    const byTenant = await p.call<UsageThresholdResource>('POST', `/v1/subscriptions/${sub.id}/usage-thresholds`, { token: tenantKey, body: { metric: 'tokens', value: 5000 } });
    expect((await p.call('DELETE', `/v1/subscriptions/${sub.id}/usage-thresholds/${byKey.body.id}`, { token: tenantKey })).status).toBe(403);
    expect((await p.call('DELETE', `/v1/subscriptions/${sub.id}/usage-thresholds/${byKey.body.id}`, { token: platform })).status).toBe(200);
    expect((await p.call('DELETE', `/v1/subscriptions/${sub.id}/usage-thresholds/${byTenant.body.id}`)).status).toBe(200);
    // A deleted threshold is not found, whoever asks.
    expect((await p.call('DELETE', `/v1/subscriptions/${sub.id}/usage-thresholds/${byTenant.body.id}`, { token: tenantKey })).status).toBe(404);
  });
});

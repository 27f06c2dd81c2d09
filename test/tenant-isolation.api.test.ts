import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from '../db/paging.ts';
import { apiKeyScopes } from '../db/schema/index.ts';
import type { CreatedApiKeyResource } from '../src/api-keys/contract.ts';
import { createApp } from '../src/app.ts';
import type { InvoiceResource } from '../src/billing/contract.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import { declaredAccess, declaredTenant } from '../src/http/access.ts';
import { doc } from '../src/http/openapi.ts';
import type { Problem } from '../src/http/problem.ts';
import type { PaymentResource } from '../src/payments/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import type { UserResource } from '../src/users/contract.ts';
import { eq } from 'drizzle-orm';
import { users } from '../db/schema/index.ts';
import { hashPassword } from '../src/kernel/password.ts';
import { createTestPlatform, customerInput, eventually, type OpenApiDocument, type TestPlatform } from './harness.ts';

/** Everything one customer owns, by the kind of path parameter it fills. */
interface Tenant {
  customer: string;
  user: string;
  subscription: string;
  invoice: string;
  payment: string;
  /** An open invoice, for paying. */
  openInvoice: string;
  /** A key of this customer with every scope. */
  key: CreatedApiKeyResource;
  /** A webhook endpoint of this customer, and one delivery to it. */
  webhook: string;
  delivery: string;
  /** A usage threshold of the subscription (the operator's; the own-ids walk swaps in one the customer set). */
  threshold: string;
}

let p: TestPlatform;
let plan: PlanResource;
let otherPlan: PlanResource;
let a: Tenant;
let b: Tenant;
let walk: { method: string; path: string; tenant: string | null }[];

const ok = async <T>(method: string, path: string, body?: unknown, status = 200): Promise<T> => {
  const res = await p.call<T>(method, path, body === undefined ? {} : { body });
  if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
};

const record = (customerId: string) => ({ id: `rec-${crypto.randomUUID()}`, customer_id: customerId, model: 'gpt-test', tokens: 10, occurred_at: new Date(p.deps.clock.now()).toISOString() });

/** A customer with an owner user, a paid subscription (invoice, payment), an open invoice, usage, events and a key with every scope. */
async function tenant(): Promise<Tenant> {
  const customer = await ok<CustomerResource>('POST', '/v1/customers', customerInput({ payment_method: 'tok_ok' }), 201);
  // Two live subscriptions below and a third from the route walk: an operator's allowance.
  await ok('PATCH', `/v1/customers/${customer.id}`, { max_subscriptions: 3 });
  // Registered before the rest, so the customer's later events are deliveries to it.
  const webhook = await ok<{ id: string }>('POST', `/v1/customers/${customer.id}/webhooks`, { url: 'https://hooks.example.invalid/in', event_types: ['*'] }, 201);
  const users = await ok<Page<UserResource>>('GET', `/v1/customers/${customer.id}/users`);
  const subscription = await ok<SubscriptionResource>('POST', '/v1/subscriptions', { customer_id: customer.id, plan_id: plan.id }, 201);
  const [invoice] = (await ok<Page<InvoiceResource>>('GET', `/v1/invoices?subscription_id=${subscription.id}`)).data;
  // Paid as it subscribed.
  const [payment] = (await ok<Page<PaymentResource>>('GET', `/v1/invoices/${invoice!.id}/payments`)).data;
  expect(payment!.status).toBe('succeeded');
  // Without a payment method for a moment, the second subscription's first attempt fails: its invoice stays open.
  await ok('PATCH', `/v1/customers/${customer.id}`, { payment_method: null });
  const second = await ok<SubscriptionResource>('POST', '/v1/subscriptions', { customer_id: customer.id, plan_id: plan.id }, 201);
  await ok('PATCH', `/v1/customers/${customer.id}`, { payment_method: 'tok_ok' });
  const [open] = (await ok<Page<InvoiceResource>>('GET', `/v1/invoices?subscription_id=${second.id}`)).data;
  await ok('POST', '/v1/usage', { records: [record(customer.id)] });
  const key = await ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'all scopes', scopes: apiKeyScopes, customer_id: customer.id }, 201);
  const threshold = await ok<{ id: string }>('POST', `/v1/subscriptions/${subscription.id}/usage-thresholds`, { metric: 'tokens', value: 1_000_000 }, 201);
  // Discounts are the operator's: one applied here, for the customer's own reads.
  await ok('POST', `/v1/subscriptions/${subscription.id}/discount`, { coupon: 'ISO10' }, 201);
  // Negotiated prices are the operator's too: a deal made here, for the customer's own reads.
  await ok('PUT', `/v1/subscriptions/${subscription.id}/prices`, { charges: [], seat_price: 100, note: 'a deal' });
  return { customer: customer.id, user: users.data[0]!.id, subscription: subscription.id, invoice: invoice!.id, payment: payment!.id, openInvoice: open!.id, key, webhook: webhook.id, delivery: '', threshold: threshold.id };
}

/** The first delivery recorded for the tenant's endpoint, once the webhooks worker has seen its events. */
async function firstDelivery(t: Tenant): Promise<string> {
  const deliveries = await eventually(async () => (await ok<Page<{ id: string }>>('GET', `/v1/customers/${t.customer}/webhooks/${t.webhook}/deliveries`)).data[0]);
  return deliveries.id;
}

beforeAll(async () => {
  p = await createTestPlatform();
  plan = await ok<PlanResource>('POST', '/v1/plans', { code: 'iso-a', name: 'Starter', price_amount: 2900, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 1000, overage_price_per_1k: 100, quota_policy: 'overage' }, 201);
  otherPlan = await ok<PlanResource>('POST', '/v1/plans', { code: 'iso-b', name: 'Pro', price_amount: 4900, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 5000, overage_price_per_1k: 100, quota_policy: 'overage' }, 201);
  await ok('POST', '/v1/coupons', { code: 'ISO10', name: 'Ten off', percent_off_bps: 1000, duration: 'forever' }, 201);
  a = await tenant();
  b = await tenant();
  p.startWorkers(['relay', 'webhooks', 'profiling', 'invoice-documents']);
  a.delivery = await firstDelivery(a);
  b.delivery = await firstDelivery(b);
  await eventually(async () => (await p.call('GET', `/v1/customers/${a.customer}/profile`)).status === 200);
  for (const t of [a, b]) await eventually(async () => (await p.call('GET', `/v1/invoices/${t.invoice}/pdf`)).status === 200);
  await p.stopWorkers();
  // A's owner gets a password and logs in to the portal, as a signed-up owner would.
  await p.deps.db.update(users).set({ passwordHash: await hashPassword('a-long-enough-passphrase', 100_000) }).where(eq(users.id, a.user));
  const [owner] = await p.deps.db.select({ email: users.email }).from(users).where(eq(users.id, a.user));
  ownerToken = (await ok<{ token: string }>('POST', '/v1/portal/login', { email: owner!.email, password: 'a-long-enough-passphrase' })).token;
  const openapi = (await p.call<OpenApiDocument>('GET', '/openapi.json', { token: null })).body;
  walk = Object.entries(openapi.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([, op]) => op.security.length > 0) // public routes (health, login) own no resource
      .map(([method, op]) => ({ method: method.toUpperCase(), path, tenant: op['x-tenant'] ?? null })),
  );
});
afterAll(() => p.close());

/** The route's path with each parameter filled from `t` by the kind of resource it names. */
function fill(path: string, t: Tenant, method: string): string {
  return path.replaceAll(/\{(\w+)\}/g, (_, name: string, offset: number) => {
    const collection = path.slice(0, offset).split('/').filter(Boolean).at(-1);
    if (name === 'userId') return t.user;
    if (name === 'wid') return t.webhook;
    if (name === 'did') return t.delivery;
    if (name === 'tid') return t.threshold;
    if (collection === 'customers') return t.customer;
    if (collection === 'subscriptions') return t.subscription;
    if (collection === 'invoices') return method === 'POST' && path.endsWith('/pay') ? t.openInvoice : t.invoice;
    if (collection === 'payments') return t.payment;
    if (collection === 'api-keys') return t.key.id;
    if (collection === 'plans') return plan.id;
    return 'x';
  });
}

/** A valid body for the route naming `t` where it names a customer (a body nobody reads for the others). */
function bodyFor(t: Tenant, path: string): unknown {
  if (path === '/v1/usage') return { records: [record(t.customer)] };
  if (path === '/v1/entitlements/check') return { customer_id: t.customer, feature: 'sso' };
  if (path.endsWith('/change-plan')) return { plan_id: otherPlan.id };
  if (path.endsWith('/seats')) return { seats: 2 };
  if (path.endsWith('/cancel') || path.endsWith('/pay')) return {};
  if (path.endsWith('/discount')) return { coupon: 'ISO10' };
  if (path.endsWith('/usage-thresholds')) return { metric: 'amount', value: 10_000 };
  if (path.endsWith('/minimum-spend')) return { amount: 5000 };
  if (path.endsWith('/wallet/top-ups')) return { amount: 1000, currency: 'EUR' };
  if (path.endsWith('/wallet/auto-top-up')) return { enabled: true, threshold: 500, amount: 1000, currency: 'EUR' };
  return { customer_id: t.customer, plan_id: plan.id };
}

/** B's ids: none of them may appear in anything A's key is answered. */
const idsOf = (t: Tenant) => [t.customer, t.user, t.subscription, t.invoice, t.payment, t.openInvoice, t.key.id, t.webhook, t.delivery, t.threshold];

async function callAs(token: string, method: string, path: string, body?: unknown) {
  return p.call<Problem>(method, path, { token, ...(method === 'GET' || method === 'DELETE' ? {} : { body }) });
}

/** Writes that manage the customer itself: its details, users, webhook endpoints and keys. */
const isOwnerAction = (r: { method: string; path: string }) =>
  r.method !== 'GET' && (/^\/v1\/customers\/\{id\}(\/users|\/webhooks|$)/.test(r.path) || r.path.startsWith('/v1/api-keys'));

/** A portal token of A's owner (a customer's user): the same walk must find nothing of B's with it either. */
let ownerToken = '';

describe('tenant isolation, proven by walking every route of the OpenAPI document', () => {
  test('every route that needs a token declares how a tenant reaches it (`none` when it may not)', () => {
    expect(walk.length).toBeGreaterThan(50);
    expect(walk.filter((r) => r.tenant === null).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  test.each([['key (every scope)', () => a.key.key], ["owner's portal token", () => ownerToken]])("with A's %s against B's resources every route answers 404, never 200 or 403, and B is unchanged", async (_who, token) => {
    const before = await p.call<Page<unknown>>('GET', `/v1/customers/${b.customer}/events?limit=100`);
    const outcomes: string[] = [];
    for (const route of walk) {
      const list = route.tenant === 'list' ? `?customer_id=${b.customer}` : '';
      const res = await callAs(token(), route.method, fill(route.path, b, route.method) + list, bodyFor(b, route.path));
      outcomes.push(`${route.method} ${route.path}: ${res.status} ${res.body?.code}`);
    }
    expect(outcomes).toEqual(walk.map((r) => `${r.method} ${r.path}: 404 not_found`));
    const after = await p.call<Page<unknown>>('GET', `/v1/customers/${b.customer}/events?limit=100`);
    expect(after.body.data).toEqual(before.body.data);
  });

  test("with A's own ids every route a tenant may call answers 2xx, and nothing of B's appears in any answer (lists included)", async () => {
    // The customer's own management (its details, users, webhooks, keys) changes what the walk stands on: it has a test of its own below.
    const callable = walk.filter((r) => r.tenant !== 'none' && !isOwnerAction(r));
    expect(callable.length).toBeGreaterThan(15);
    // Writes that end something come last, so the reads and the plan change see a live subscription.
    const ordered = [...callable].sort((x, y) => Number(x.path.endsWith('/cancel')) - Number(y.path.endsWith('/cancel')));
    // A tenant deletes only the thresholds its customer set (an operator's is 403: test/tenant-fields.api.test.ts).
    const own = await p.call<{ id: string }>('POST', `/v1/subscriptions/${a.subscription}/usage-thresholds`, { token: a.key.key, body: { metric: 'tokens', value: 2_000_000 } });
    expect(own.status).toBe(201);
    a.threshold = own.body.id;
    const outcomes: string[] = [];
    for (const route of ordered) {
      const res = await callAs(a.key.key, route.method, fill(route.path, a, route.method), bodyFor(a, route.path));
      outcomes.push(`${route.method} ${route.path}: ${res.status >= 200 && res.status < 300 ? '2xx' : `${res.status} ${JSON.stringify(res.body)}`}`);
      const text = JSON.stringify(res.body);
      for (const id of idsOf(b)) expect(text).not.toContain(id);
    }
    expect(outcomes).toEqual(ordered.map((r) => `${r.method} ${r.path}: 2xx`));
  });

  test("list routes forced to the tenant: A's key pages through invoices and subscriptions one row at a time and meets only A's", async () => {
    for (const list of ['/v1/invoices', '/v1/subscriptions']) {
      let cursor: string | null = null;
      const seen: string[] = [];
      do {
        const res: { status: number; body: Page<{ customer_id: string }> } = await p.call('GET', `${list}?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: a.key.key });
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((row) => row.customer_id));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set([a.customer]));
    }
  });

  test('a route added without a tenant declaration is caught, and tenants get 404 from it while a platform key gets through', async () => {
    const app = createApp(p.deps);
    app.get('/v1/customers/:id/forgotten', doc({ summary: 'Forgotten', tags: ['Customers'], access: 'viewer', scope: 'customers:read', success: { status: 200, description: 'ok' } }), (c) => c.json({ ok: true }));
    const handlers = new Map<string, unknown[]>();
    for (const r of app.routes) if (r.method !== 'ALL') handlers.set(`${r.method} ${r.path}`, [...(handlers.get(`${r.method} ${r.path}`) ?? []), r.handler]);
    const undeclared = [...handlers].filter(([, list]) => declaredAccess(list) !== 'public' && declaredTenant(list) === undefined).map(([route]) => route);
    expect(undeclared.filter((route) => route.startsWith('GET /v1'))).toEqual(['GET /v1/customers/:id/forgotten']);

    const platform = await ok<CreatedApiKeyResource>('POST', '/v1/api-keys', { name: 'platform', scopes: ['customers:read'] }, 201);
    const call = async (key: string) => (await app.request(`/v1/customers/${a.customer}/forgotten`, { headers: { Authorization: `Bearer ${key}` } })).status;
    expect([await call(a.key.key), await call(platform.key)]).toEqual([404, 200]);
  });

  test("usage posted with A's key naming B is 404 and counts nowhere; A's own usage and idempotency keys stay A's", async () => {
    const refused = await callAs(a.key.key, 'POST', '/v1/usage', { records: [record(a.customer), record(b.customer)] });
    expect(refused.status).toBe(404);
    const same = { records: [record(a.customer)] };
    const first = await p.call('POST', '/v1/usage', { token: a.key.key, body: same, headers: { 'Idempotency-Key': 'shared-key' } });
    const byB = await p.call('POST', '/v1/usage', { token: b.key.key, body: { records: [record(b.customer)] }, headers: { 'Idempotency-Key': 'shared-key' } });
    expect([first.status, byB.status]).toEqual([200, 200]);
    expect(byB.headers.get('Idempotency-Replayed')).toBeNull();
  });

  test("A's owner manages its own customer through the API with its portal token: details, users, webhooks and keys; a key never gets scopes beyond its creator's", async () => {
    const owner = (method: string, path: string, body?: unknown) => p.call<{ id: string; key?: string; status?: string } & Problem>(method, path, { token: ownerToken, ...(body === undefined ? {} : { body }) });
    expect((await owner('PATCH', `/v1/customers/${a.customer}`, { payment_method: 'tok_visa_4242' })).status).toBe(200);
    const invited = await owner('POST', `/v1/customers/${a.customer}/users`, { email: `mate-${crypto.randomUUID().slice(0, 6)}@a.example`, name: 'Mate', role: 'member' });
    expect(invited.status).toBe(201);
    expect((await owner('PATCH', `/v1/customers/${a.customer}/users/${invited.body.id}`, { role: 'admin' })).status).toBe(200);
    const hook = await owner('POST', `/v1/customers/${a.customer}/webhooks`, { url: 'https://hooks.example.invalid/owner', event_types: ['invoice.paid'] });
    expect(hook.status).toBe(201);
    expect((await owner('POST', `/v1/customers/${a.customer}/webhooks/${hook.body.id}/rotate-secret`)).status).toBe(200);
    expect((await owner('DELETE', `/v1/customers/${a.customer}/webhooks/${hook.body.id}`)).status).toBe(200);
    // Its own key, which lists only A's keys; another customer's key is 404.
    const gateway = await owner('POST', '/v1/api-keys', { name: 'gateway', scopes: ['usage:write', 'keys:write'] });
    expect(gateway.status).toBe(201);
    const listed = await p.call<Page<{ customer_id: string }>>('GET', '/v1/api-keys', { token: ownerToken });
    expect(new Set(listed.body.data.map((k) => k.customer_id))).toEqual(new Set([a.customer]));
    expect((await owner('GET', `/v1/api-keys/${b.key.id}`)).status).toBe(404);
    expect((await owner('POST', `/v1/api-keys/${b.key.id}/revoke`)).status).toBe(404);
    // The gateway key holds usage:write and keys:write: it may mint a usage key, never a customers:write one.
    const minted = await p.call<Problem>('POST', '/v1/api-keys', { token: gateway.body.key!, body: { name: 'more', scopes: ['customers:write'] } });
    expect([minted.status, minted.body.code]).toEqual([403, 'forbidden']);
    expect((await p.call('POST', '/v1/api-keys', { token: gateway.body.key!, body: { name: 'usage only', scopes: ['usage:write'] } })).status).toBe(201);
    expect((await owner('POST', `/v1/api-keys/${gateway.body.id}/revoke`)).status).toBe(200);
    expect((await p.call('POST', '/v1/usage', { token: gateway.body.key!, body: { records: [record(a.customer)] } })).status).toBe(401);
    // Nothing of it reached B: A's owner cannot manage B (the walk above) and B's users are as they were.
    expect((await owner('POST', `/v1/customers/${b.customer}/users`, { email: 'x@b.example', name: 'X', role: 'member' })).status).toBe(404);
  });
});

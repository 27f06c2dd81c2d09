import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../db/client.ts';
import { freePort, killAll, spawnBun, tempDataDir, waitForHttp, type ChildProcess } from './processes.ts';

/**
 * A retried write never runs twice after a crash: for each write family, a burst of
 * requests with distinct Idempotency-Keys goes to a real API process (a libSQL file),
 * which is SIGKILLed mid-burst and started again; every key is then retried until it
 * answers for good. Each key's effect must exist exactly once, money paid must be
 * money asked, and every later replay must answer as the first answer did.
 *
 * IDEMPOTENCY_LEASE_MS is short here, so a key whose request died is taken over
 * within a second of the restart.
 */

afterAll(killAll);

const ADMIN = { email: 'admin@idem-fault.example', password: 'a-long-enough-password' };
const LEASE_MS = 1000;
const BURST = 30;

let data: ReturnType<typeof tempDataDir>;
let env: Record<string, string>;
let base: string;
let api: ChildProcess;
let token: string;
let database: Database;

beforeAll(async () => {
  data = tempDataDir('idem-fault-');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    PORT: String(port),
    DATABASE_URL: data.databaseUrl,
    DATA_DIR: data.dir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'idempotency-fault-secret-long-enough-0123456789',
    LOG_SILENT: '1',
    IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
    RATE_LIMIT_PER_MINUTE: '0',
  };
  api = await startApi();
  const res = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  expect(res.status).toBe(200);
  token = ((await res.json()) as { token: string }).token;
  database = await openDatabase(data.databaseUrl);
}, 60_000);

afterAll(async () => {
  await killAll();
  database?.close();
  data?.remove();
});

async function startApi(): Promise<ChildProcess> {
  const child = spawnBun('api', 'src/server.ts', env);
  await waitForHttp(`${base}/readyz`, child);
  return child;
}

interface Answer {
  status: number;
  text: string;
  replayed: boolean;
}

async function post(path: string, body: unknown, key?: string): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (key) headers['idempotency-key'] = key;
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), replayed: res.headers.get('idempotency-replayed') === 'true' };
}

/** Setup calls (no crash): insists on a 2xx and returns the body. */
async function ok<T = { id: string }>(path: string, body: unknown, method = 'POST'): Promise<T> {
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function scalar(query: string): Promise<number> {
  const rows = (await database.db.all(sql.raw(query))) as { n: number }[];
  return Number(rows[0]?.n ?? 0);
}

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;

async function inBatches<T, R>(items: T[], size: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  return out;
}

const customer = (i: number, tag: string, extra: Record<string, unknown> = {}) =>
  ok(`/v1/customers`, { name: `Idem ${tag} ${i}`, email: `idem-${tag}-${i}-${crypto.randomUUID().slice(0, 8)}@fault.example`, kind: 'sme', country: 'DE', payment_method: 'tok_ok', ...extra });

const plan = (tag: string, price: number) =>
  ok<{ id: string }>('/v1/plans', { code: `idem-${tag}-${crypto.randomUUID().slice(0, 8)}`, name: `Idem ${tag}`, price_amount: price, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 1_000_000, overage_price_per_1k: 10, quota_policy: 'overage' });

interface Request {
  path: string;
  body: unknown;
}

interface Outcome {
  key: string;
  /** What the key answered before the crash, if it did. */
  before?: Answer;
  /** What it answers for good after the restart. */
  final: Answer;
  json: Record<string, unknown>;
}

/**
 * Fires the requests (distinct keys, a dozen at a time), SIGKILLs the API once some
 * have answered and a write is caught running (`midSaga`: between its first commit and
 * its answer, a recovery point in the idempotency table) or two thirds have answered, restarts it, and retries
 * every key until it answers something other than 409 idempotency_in_progress.
 * Then checks that a further retry replays that answer byte for byte, and that a key
 * answered before the crash answers the same after it. The crash must have
 * left some keys unanswered with their claim in progress (mid-saga: past the first commit).
 */
async function crashBurst(tag: string, requests: Request[], { midSaga }: { midSaga: boolean }): Promise<Outcome[]> {
  const keys = requests.map((_, i) => `${tag}-${i}-${crypto.randomUUID()}`);
  const before: (Answer | undefined)[] = [];
  let answered = 0;
  let killed = false;
  let next = 0;
  const sender = async () => {
    while (!killed && next < requests.length) {
      const i = next++;
      try {
        before[i] = await post(requests[i]!.path, requests[i]!.body, keys[i]);
        answered++;
      } catch {
        // the process died under it: unanswered
      }
    }
  };
  const senders = Promise.all(Array.from({ length: 12 }, sender));
  const keyList = keys.map(quote).join(',');
  const deadline = Date.now() + 20_000;
  // The moment to kill: a write of the burst is caught running (mid-saga: past its first commit).
  const caught = `select count(*) as n from idempotency_keys where key in (${keyList}) and state = 'in_progress'${midSaga ? ' and recovery_point is not null' : ''}`;
  for (;;) {
    if (answered >= Math.ceil(requests.length / 1.5)) break;
    if ((midSaga || answered > 0) && (await scalar(caught)) > 0) break;
    if (Date.now() > deadline) throw new Error(`${tag}: the burst did not progress`);
    await Bun.sleep(0);
  }
  await api.kill('SIGKILL');
  killed = true;
  await senders;

  const diedInFlight = await scalar(`select count(*) as n from idempotency_keys where key in (${keyList}) and state = 'in_progress'`);
  const diedMidSaga = await scalar(`select count(*) as n from idempotency_keys where key in (${keyList}) and state = 'in_progress' and recovery_point is not null`);
  api = await startApi();

  const outcomes = await inBatches(requests, 12, async (request, i) => {
    const stopAt = Date.now() + 30_000;
    for (;;) {
      let answer: Answer | undefined;
      try {
        answer = await post(request.path, request.body, keys[i]);
      } catch {
        answer = undefined;
      }
      if (answer && !(answer.status === 409 && JSON.parse(answer.text).code === 'idempotency_in_progress')) {
        if (answer.status >= 500) throw new Error(`${tag} ${keys[i]} answered ${answer.status}: ${answer.text}`);
        return { key: keys[i]!, before: before[i], final: answer, json: JSON.parse(answer.text) };
      }
      if (Date.now() > stopAt) throw new Error(`${tag} ${keys[i]} still answers ${answer?.status} ${answer?.text}`);
      await Bun.sleep(100);
    }
  });

  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.before) expect({ key: outcome.key, text: outcome.final.text }).toEqual({ key: outcome.key, text: outcome.before.text });
    const again = await post(requests[i]!.path, requests[i]!.body, keys[i]);
    expect({ key: outcome.key, status: again.status, text: again.text, replayed: again.replayed }).toEqual({ key: outcome.key, status: outcome.final.status, text: outcome.final.text, replayed: true });
  }
  // The crash did catch writes running (and, for a multi-step write, past its first commit).
  expect(diedInFlight).toBeGreaterThan(0);
  if (midSaga) expect(diedMidSaga).toBeGreaterThan(0);
  return outcomes;
}

describe('a retried write runs once after the API is SIGKILLed mid-burst', () => {
  test('wallet top-ups: one invoice and one charge per key; money paid is money asked', async () => {
    const customers = await inBatches(Array.from({ length: BURST }, (_, i) => i), 10, (i) => customer(i, 'topup'));
    const requests = customers.map((c, i) => ({ path: `/v1/customers/${c.id}/wallet/top-ups`, body: { amount: 1000 + i, currency: 'EUR' } }));
    const outcomes = await crashBurst('topup', requests, { midSaga: true });
    for (const [i, c] of customers.entries()) {
      expect(outcomes[i]!.final.status).toBe(201);
      const ids = quote(c.id);
      expect(await scalar(`select count(*) as n from invoices where customer_id = ${ids} and billing_reason = 'wallet_top_up'`)).toBe(1);
      expect(await scalar(`select count(*) as n from payments where customer_id = ${ids}`)).toBe(1);
      expect(await scalar(`select coalesce(sum(amount), 0) as n from payments where customer_id = ${ids} and status = 'succeeded'`)).toBe(1000 + i);
      expect(outcomes[i]!.json).toMatchObject({ invoice: { status: 'paid', customer_id: c.id }, payment: { status: 'succeeded', amount: 1000 + i } });
    }
  }, 90_000);

  test('invoice payments: one manual payment per key, the invoice paid once', async () => {
    const basic = await plan('pay', 2500);
    // Without a payment method the first (automatic) attempt fails: the invoice stays open to be paid now.
    const invoices = await inBatches(Array.from({ length: BURST }, (_, i) => i), 10, async (i) => {
      const c = await customer(i, 'pay', { payment_method: undefined });
      const sub = await ok<{ id: string }>('/v1/subscriptions', { customer_id: c.id, plan_id: basic.id });
      const list = await (await fetch(`${base}/v1/invoices?subscription_id=${sub.id}`, { headers: { authorization: `Bearer ${token}` } })).json() as { data: { id: string; status: string; amount_due: number }[] };
      expect(list.data).toHaveLength(1);
      expect(list.data[0]!.status).toBe('open');
      return list.data[0]!;
    });
    const requests = invoices.map((inv) => ({ path: `/v1/invoices/${inv.id}/pay`, body: { payment_method: 'tok_ok' } }));
    const outcomes = await crashBurst('pay', requests, { midSaga: true });
    for (const [i, inv] of invoices.entries()) {
      expect(outcomes[i]!.final.status).toBe(200);
      expect(outcomes[i]!.json).toMatchObject({ invoice_id: inv.id, status: 'succeeded', amount: inv.amount_due });
      expect(await scalar(`select count(*) as n from payments where invoice_id = ${quote(inv.id)} and trigger = 'manual'`)).toBe(1);
      expect(await scalar(`select coalesce(sum(amount), 0) as n from payments where invoice_id = ${quote(inv.id)} and status = 'succeeded'`)).toBe(inv.amount_due);
      expect(await scalar(`select count(*) as n from invoices where id = ${quote(inv.id)} and status = 'paid'`)).toBe(1);
    }
  }, 90_000);

  test('subscribing: one subscription and one first invoice per key, collected once as it subscribes', async () => {
    const basic = await plan('sub', 3100);
    const customers = await inBatches(Array.from({ length: BURST }, (_, i) => i), 10, (i) => customer(i, 'sub'));
    const requests = customers.map((c) => ({ path: '/v1/subscriptions', body: { customer_id: c.id, plan_id: basic.id } }));
    const outcomes = await crashBurst('sub', requests, { midSaga: true });
    for (const [i, c] of customers.entries()) {
      expect(outcomes[i]!.final.status).toBe(201);
      // Collected in the request: the answer is already active.
      expect(outcomes[i]!.json).toMatchObject({ customer_id: c.id, status: 'active' });
      expect(await scalar(`select count(*) as n from subscriptions where customer_id = ${quote(c.id)}`)).toBe(1);
      expect(await scalar(`select count(*) as n from invoices where customer_id = ${quote(c.id)}`)).toBe(1);
      expect(await scalar(`select count(*) as n from payments where customer_id = ${quote(c.id)}`)).toBe(1);
      expect(await scalar(`select coalesce(sum(amount), 0) as n from payments where customer_id = ${quote(c.id)} and status = 'succeeded'`)).toBe(3100);
    }
  }, 90_000);

  test('plan changes: one change (one event, one pair of proration lines) per key', async () => {
    const from = await plan('chg-a', 2000);
    const to = await plan('chg-b', 5000);
    const subs = await inBatches(Array.from({ length: BURST }, (_, i) => i), 10, async (i) => {
      const c = await customer(i, 'chg');
      return ok<{ id: string }>('/v1/subscriptions', { customer_id: c.id, plan_id: from.id });
    });
    const requests = subs.map((s) => ({ path: `/v1/subscriptions/${s.id}/change-plan`, body: { plan_id: to.id } }));
    const outcomes = await crashBurst('chg', requests, { midSaga: false });
    for (const [i, s] of subs.entries()) {
      expect(outcomes[i]!.final.status).toBe(200);
      expect(outcomes[i]!.json).toMatchObject({ id: s.id, plan_id: to.id });
      expect(await scalar(`select count(*) as n from outbox where subject = ${quote(s.id)} and type = 'subscription.plan_changed'`)).toBe(1);
      expect(await scalar(`select count(*) as n from subscription_adjustments where subscription_id = ${quote(s.id)}`)).toBe(2);
    }
  }, 90_000);

  test('test-clock advances: each clock advanced once, its customer renewed and charged once', async () => {
    const basic = await plan('clk', 4000);
    const start = Date.UTC(2026, 0, 1);
    const clocks = await inBatches(Array.from({ length: 12 }, (_, i) => i), 6, async (i) => {
      const clock = await ok<{ id: string }>('/v1/test-clocks', { name: `Idem clock ${i}`, frozen_time: new Date(start).toISOString() });
      const c = await customer(i, 'clk', { test_clock_id: clock.id });
      await ok('/v1/subscriptions', { customer_id: c.id, plan_id: basic.id });
      return { clock: clock.id, customer: c.id };
    });
    const target = new Date(start + 40 * 86_400_000).toISOString();
    const requests = clocks.map((k) => ({ path: `/v1/test-clocks/${k.clock}/advance`, body: { frozen_time: target } }));
    const outcomes = await crashBurst('clk', requests, { midSaga: true });
    for (const [i, k] of clocks.entries()) {
      expect(outcomes[i]!.final.status).toBe(200);
      expect(outcomes[i]!.json).toMatchObject({ id: k.clock, status: 'ready', frozen_time: target });
      expect(await scalar(`select count(*) as n from outbox where subject = ${quote(k.clock)} and type = 'test_clock.advanced'`)).toBe(1);
      // The first invoice (as it subscribed) and the February renewal, each charged once.
      expect(await scalar(`select count(*) as n from invoices where customer_id = ${quote(k.customer)}`)).toBe(2);
      expect(await scalar(`select count(*) as n from payments where customer_id = ${quote(k.customer)}`)).toBe(2);
      expect(await scalar(`select coalesce(sum(amount), 0) as n from payments where customer_id = ${quote(k.customer)} and status = 'succeeded'`)).toBe(8000);
    }
  }, 90_000);

  test('usage: each record counted once, and the retry answers `accepted` as the first did', async () => {
    const metered = await plan('use', 1000);
    const c = await customer(0, 'use');
    const sub = await ok<{ id: string }>('/v1/subscriptions', { customer_id: c.id, plan_id: metered.id });
    // Just after the subscription started, within the allowed clock skew.
    const now = new Date(Date.now() + 5_000).toISOString();
    const requests = Array.from({ length: BURST }, (_, i) => ({
      path: '/v1/usage',
      body: { records: [{ id: `rec-${i}`, customer_id: c.id, subscription_id: sub.id, model: 'gpt-x', tokens: 100 + i, occurred_at: now }] },
    }));
    const outcomes = await crashBurst('use', requests, { midSaga: false });
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome.final.status).toBe(200);
      expect(outcome.json.results).toMatchObject([{ id: `rec-${i}`, status: 'accepted' }]);
      expect(await scalar(`select count(*) as n from usage_records where customer_id = ${quote(c.id)} and client_id = 'rec-${i}'`)).toBe(1);
      expect(await scalar(`select count(*) as n from outbox where type = 'usage.recorded' and data like '%"rec-${i}"%'`)).toBe(1);
    }
  }, 90_000);

  test('wallet grants: one ledger entry per key', async () => {
    const customers = await inBatches(Array.from({ length: BURST }, (_, i) => i), 10, (i) => customer(i, 'grant'));
    const requests = customers.map((c, i) => ({ path: `/v1/customers/${c.id}/wallet/grants`, body: { amount: 500 + i, currency: 'EUR' } }));
    const outcomes = await crashBurst('grant', requests, { midSaga: false });
    for (const [i, c] of customers.entries()) {
      expect(outcomes[i]!.final.status).toBe(201);
      expect(await scalar(`select count(*) as n from wallet_entries where customer_id = ${quote(c.id)} and kind = 'grant'`)).toBe(1);
      expect(await scalar(`select coalesce(sum(amount), 0) as n from wallet_entries where customer_id = ${quote(c.id)}`)).toBe(500 + i);
    }
  }, 90_000);
});

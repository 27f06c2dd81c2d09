import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, count, eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { idempotencyKeys, invoices, payments } from '../db/schema/index.ts';
import { collectionSettings } from '../src/billing/collection-settings.ts';
import { topUpWalletWrite } from '../src/billing/wallet-top-up.ts';
import { createContext, withTransaction } from '../src/kernel/context.ts';
import { manualClock } from '../src/kernel/clock.ts';
import { sha256Hex } from '../src/kernel/hash.ts';
import type { PaymentProvider } from '../src/payments/provider.ts';
import { createSandboxProvider } from '../src/payments/sandbox.ts';
import { customerInput, createTestPlatform, type TestPlatform } from './harness.ts';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { Problem } from '../src/http/problem.ts';

/**
 * Resuming a multi-step write under its Idempotency-Key, in process: the crash of a
 * request is staged in the database as the dead request left it (its first transaction
 * committed with the recovery point, its claim held by an owner that is gone).
 */

const START = Date.UTC(2026, 5, 1);
const LEASE_MS = 10_000;
const clock = manualClock(START);
const sandbox = createSandboxProvider();
/** The sandbox, except that `failNext` makes the next charge fail as a dropped connection would (after the first commit). */
let failNext = false;
const provider: PaymentProvider = {
  name: 'sandbox',
  async charge(request) {
    if (failNext) {
      failNext = false;
      throw new Error('connection reset by peer');
    }
    return sandbox.charge(request);
  },
  refund: (request) => sandbox.refund(request),
};

let p: TestPlatform;
let token: string;
let principal: string;
beforeAll(async () => {
  p = await createTestPlatform({ build: { clock, payments: provider }, env: { IDEMPOTENCY_LEASE_MS: String(LEASE_MS), JWT_TTL_SECONDS: '604800' } });
  token = await p.tokenFor('operator');
  principal = decodeJwt(token).sub!;
});
afterAll(() => p.close());

const topUp = (customerId: string, key: string, amount = 2500) =>
  p.call<{ invoice: { id: string; status: string }; payment: { id: string; status: string; amount: number } }>('POST', `/v1/customers/${customerId}/wallet/top-ups`, {
    token,
    body: { amount, currency: 'EUR' },
    headers: { 'Idempotency-Key': key },
  });

async function topUpCounts(customerId: string) {
  const [inv] = await p.deps.db.select({ n: count() }).from(invoices).where(and(eq(invoices.customerId, customerId), eq(invoices.billingReason, 'wallet_top_up')));
  const [pay] = await p.deps.db.select({ n: count() }).from(payments).where(eq(payments.customerId, customerId));
  return { invoices: inv!.n, payments: pay!.n };
}

/**
 * What a request that died right after its first transaction leaves: the top-up's invoice and
 * pending payment, committed with the recovery point under the key, the claim an owner's that is gone.
 */
async function stageDeadTopUp(customerId: string, key: string, amount: number, lockedUntil: number) {
  const path = `/v1/customers/${customerId}/wallet/top-ups`;
  const requestHash = await sha256Hex(`POST ${path}\n${JSON.stringify({ amount, currency: 'EUR' })}`);
  const ctx = createContext(p.deps, { id: principal, kind: 'operator', role: 'operator' });
  return withTransaction(ctx, async (tx) => {
    const point = await topUpWalletWrite(customerId, { amount, currency: 'EUR' }, collectionSettings(ctx, provider)).begin(tx);
    await tx.tx.insert(idempotencyKeys).values({
      principal, key, method: 'POST', path, requestHash, state: 'in_progress', owner: 'gone-process:request',
      recoveryPoint: point, lockedUntil, createdAt: clock.now(), responseStatus: null, responseBody: null,
    });
    return point;
  });
}

describe('a multi-step write resumes from its recovery point', () => {
  test('a retry of a key whose request died after its first commit finishes that top-up: one invoice, one charge, the answer stored', async () => {
    clock.set(START);
    const customer = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) })).body;
    const point = await stageDeadTopUp(customer.id, 'top-up-dead', 2500, START + LEASE_MS);

    // While the dead request's lease runs, a retry waits: 409 with Retry-After until the lease ends.
    clock.set(START + 4_000);
    const early = await topUp(customer.id, 'top-up-dead');
    expect(early.status).toBe(409);
    expect((early.body as unknown as Problem).code).toBe('idempotency_in_progress');
    expect(early.headers.get('Retry-After')).toBe('6');

    // Once it has run out, the retry takes the key over and resumes: the same invoice and payment, charged once.
    clock.set(START + LEASE_MS);
    const resumed = await topUp(customer.id, 'top-up-dead');
    expect(resumed.status).toBe(201);
    expect(resumed.body).toMatchObject({ invoice: { id: point.invoice_id, status: 'paid' }, payment: { id: point.payment_id, status: 'succeeded', amount: 2500 } });
    expect(await topUpCounts(customer.id)).toEqual({ invoices: 1, payments: 1 });
    expect((await sandbox.ledger()).filter((c) => c.key === point.payment_id)).toHaveLength(1);

    const replay = await topUp(customer.id, 'top-up-dead');
    expect(replay.headers.get('Idempotency-Replayed')).toBe('true');
    expect(replay.body).toEqual(resumed.body);
    expect(await topUpCounts(customer.id)).toEqual({ invoices: 1, payments: 1 });
  });

  test('a request that fails after its first commit keeps its key resumable: the next retry finishes the same top-up at once', async () => {
    clock.set(START);
    const customer = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) })).body;
    failNext = true;
    const failed = await topUp(customer.id, 'top-up-failing', 4000);
    expect(failed.status).toBe(500);
    const [row] = await p.deps.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, 'top-up-failing'));
    // Neither freed (a retry would open a second invoice) nor answered for good: in progress, with its lease given back.
    expect(row).toMatchObject({ state: 'in_progress', lockedUntil: START });
    expect(row!.recoveryPoint).toMatchObject({ invoice_id: expect.any(String), payment_id: expect.any(String) });

    const retry = await topUp(customer.id, 'top-up-failing', 4000);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ invoice: { id: row!.recoveryPoint!.invoice_id, status: 'paid' }, payment: { id: row!.recoveryPoint!.payment_id, status: 'succeeded', amount: 4000 } });
    expect(await topUpCounts(customer.id)).toEqual({ invoices: 1, payments: 1 });
  });

  test('a client error before the first commit is answered for good and replays', async () => {
    clock.set(START);
    const customer = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) })).body;
    await p.call('POST', '/v1/subscriptions', { body: { customer_id: customer.id, plan_id: (await p.call<{ id: string }>('POST', '/v1/plans', { body: { code: `usd-${crypto.randomUUID().slice(0, 8)}`, name: 'USD', price_amount: 100, currency: 'USD', interval: 'month', trial_days: 30, included_tokens: 0, overage_price_per_1k: 0, quota_policy: 'overage' } })).body.id } });
    const first = await topUp(customer.id, 'top-up-wrong-currency');
    expect(first.status).toBe(400);
    const again = await topUp(customer.id, 'top-up-wrong-currency');
    expect(again.headers.get('Idempotency-Replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await topUpCounts(customer.id)).toEqual({ invoices: 0, payments: 0 });
  });
});

describe('a long-running request keeps its key', () => {
  test('the owner renews its claim while it runs, so a retry past the first lease still waits instead of running it twice', async () => {
    // Real time here: renewal runs on a timer, every third of the lease.
    const q = await createTestPlatform({ build: { payments: provider }, env: { IDEMPOTENCY_LEASE_MS: '300' } });
    try {
      const customer = (await q.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) })).body;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let charging!: () => void;
      const started = new Promise<void>((resolve) => (charging = resolve));
      const slow: PaymentProvider = { name: 'sandbox', charge: async (r) => (charging(), await held, sandbox.charge(r)), refund: (r) => sandbox.refund(r) };
      q.deps.payments = slow;
      const headers = { 'Idempotency-Key': 'slow-top-up' };
      const body = { amount: 700, currency: 'EUR' };
      const first = q.call('POST', `/v1/customers/${customer.id}/wallet/top-ups`, { body, headers });
      await started;
      await Bun.sleep(900); // three leases
      const retry = await q.call<Problem>('POST', `/v1/customers/${customer.id}/wallet/top-ups`, { body, headers });
      expect(retry.status).toBe(409);
      expect(retry.body.code).toBe('idempotency_in_progress');
      release();
      const answered = await first;
      expect(answered.status).toBe(201);
      const replay = await q.call('POST', `/v1/customers/${customer.id}/wallet/top-ups`, { body, headers });
      expect(replay.body).toEqual(answered.body);
      const [inv] = await q.deps.db.select({ n: count() }).from(invoices).where(eq(invoices.customerId, customer.id));
      expect(inv!.n).toBe(1);
    } finally {
      await q.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import LibsqlDatabase from 'libsql';
import { join } from 'node:path';
import type { CustomerResource } from '../src/customers/contract.ts';
import type { PlanResource } from '../src/plans/contract.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { runBillingCycle } from '../src/billing/cycle.ts';
import { createTestPlatform, customerInput, eventually, type TestPlatform } from './harness.ts';

/**
 * Every list and filter the API offers, checked with EXPLAIN QUERY PLAN: no query reads
 * a whole table, and none sorts its matches in a temporary B-tree (both grow with the
 * table, so a list that does either slows down as data grows). Text search sorts only its
 * matches (a trigram lookup), which is allowed.
 */
let p: TestPlatform;
const seen = new Set<string>();

beforeAll(async () => {
  p = await createTestPlatform({ build: { onQuery: (text) => void (text.trimStart().toLowerCase().startsWith('select') && seen.add(text)) } });
});
afterAll(() => {
  explainer?.close();
  return p.close();
});

// Plans are read on a connection of their own: libsql 0.5 can leave the connection that ran an
// EXPLAIN on an old snapshot, which must not be the platform's.
let explainer: InstanceType<typeof LibsqlDatabase> | undefined;
function plan(text: string): string[] {
  explainer ??= new LibsqlDatabase(join(p.dir, 'app.db'));
  return (explainer.prepare(`EXPLAIN QUERY PLAN ${text}`).all() as { detail: string }[]).map((r) => r.detail);
}

describe('lists stay fast as tables grow (EXPLAIN QUERY PLAN)', () => {
  test('every list and filter uses an index for both its filter and its order', async () => {
    const customer = (await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput({ payment_method: 'tok_ok' }) })).body;
    const planRes = (await p.call<PlanResource>('POST', '/v1/plans', { body: { code: `qp-${crypto.randomUUID().slice(0, 8)}`, name: 'Plan', price_amount: 100, currency: 'EUR', interval: 'month', trial_days: 0, included_tokens: 10 } })).body;
    const sub = (await p.call<SubscriptionResource>('POST', '/v1/subscriptions', { body: { customer_id: customer.id, plan_id: planRes.id, trial: false } })).body;
    const cursor = 'zzzz';
    const lists = [
      '/v1/customers', '/v1/customers?status=active', '/v1/customers?segment=gold', '/v1/customers?kind=sme', `/v1/customers?email=${encodeURIComponent(customer.email!)}`,
      '/v1/customers?q=acme', '/v1/customers?q=ac',
      `/v1/customers/${customer.id}/users`, `/v1/customers/${customer.id}/notifications`, `/v1/customers/${customer.id}/subscriptions`, `/v1/customers/${customer.id}/credits`,
      `/v1/customers/${customer.id}/events`, `/v1/customers/${customer.id}/payments`,
      '/v1/plans', '/v1/plans?status=active', `/v1/plans?code=${planRes.code}`, `/v1/plans/${planRes.id}/versions`,
      '/v1/subscriptions', '/v1/subscriptions?status=active', `/v1/subscriptions?customer_id=${customer.id}`, `/v1/subscriptions?plan_id=${planRes.id}`,
      '/v1/invoices', '/v1/invoices?status=open', `/v1/invoices?customer_id=${customer.id}`, `/v1/invoices?subscription_id=${sub.id}`,
      '/v1/events', '/v1/events?type=customer.onboarded', `/v1/events?subject=${customer.id}`,
      '/v1/audit', '/v1/audit?action=customer.onboard', `/v1/audit?target_id=${customer.id}`, '/v1/operators',
      '/v1/dead-letters', '/v1/dead-letters?group=notifications', '/v1/dead-letters?group=notifications&state=waiting',
    ];
    const slowQueries: { path: string; text: string; slow: string[] }[] = [];
    for (const path of lists) {
      seen.clear();
      const first = await p.call<{ next_cursor?: string | null }>('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1`);
      expect({ path, status: first.status }).toEqual({ path, status: 200 });
      const page = await p.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1&cursor=${encodeURIComponent(first.body.next_cursor ?? cursor)}`);
      // A made-up cursor may be refused (400); the queries of the first page are what counts then.
      expect([200, 400]).toContain(page.status);
      expect(seen.size).toBeGreaterThan(0);
      for (const text of seen) {
        if (/__drizzle_migrations|from "operators" left join "revoked_tokens"/.test(text)) continue;
        const steps = plan(text);
        const search = text.includes('customers_search');
        // A customer's timeline merges the events of its own subjects (each looked up in the subject
        // index) and sorts only those, as search sorts only its matches.
        const timeline = text.includes('"outbox"."subject" IN (SELECT');
        // A scan in the table's own order that stops at the page's limit is fine when nothing filters it.
        const unfiltered = !/ where /.test(text) || /where \("?\w+"?\.(rowid|"id") [<>] \?\) order by/.test(text);
        const slow = steps.filter((s) => (/^SCAN \w+$/.test(s) && !unfiltered && !/^SCAN customers_search/.test(s)) || (!search && !timeline && s.includes('TEMP B-TREE')));
        if (slow.length > 0) slowQueries.push({ path, text, slow });
      }
    }
    expect(slowQueries).toEqual([]);
  });

  test('the workers\' queries (relay, consumers, notification dispatch, billing pass) read no growing table whole', async () => {
    const grows = ['outbox', 'bus_log', 'inbox', 'notifications', 'customer_notifications', 'customers', 'subscriptions', 'invoices', 'payments', 'usage_records', 'audit_log', 'idempotency_keys'];
    seen.clear();
    p.startWorkers();
    const created = await p.call<CustomerResource>('POST', '/v1/customers', { body: customerInput() });
    expect(created.status).toBe(201);
    const customer = created.body;
    await eventually(async () => {
      const history = await p.call<{ data: { status: string }[] }>('GET', `/v1/customers/${customer.id}/notifications`);
      expect(history.status).toBe(200);
      return history.body.data.some((n) => n.status === 'sent');
    });
    await runBillingCycle(p.deps);
    await p.stopWorkers();
    const slowQueries: { text: string; slow: string[] }[] = [];
    for (const text of seen) {
      const steps = plan(text);
      const slow = steps.filter((step) => grows.some((table) => step === `SCAN ${table}`) && !/ where \(?"?\w+"?\."?rowid"? [<>]/.test(text) && / where /.test(text));
      if (slow.length > 0) slowQueries.push({ text, slow });
    }
    expect(slowQueries).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import type { ConsumerList } from '../src/events/contract.ts';
import { manualClock } from '../src/kernel/clock.ts';
import type { CurrencyReport, OverviewResource } from '../src/reports/contract.ts';
import { firstPositionAt } from '../src/reports/event-window.ts';
import type { SubscriptionResource } from '../src/subscriptions/contract.ts';
import { billingFixtures } from './billing-fixtures.ts';
import { createTestPlatform, type TestPlatform } from './harness.ts';

const MARCH_10 = Date.UTC(2026, 2, 10);
const APRIL_5 = Date.UTC(2026, 3, 5);
const MINUTE = 60_000;
const clock = manualClock(MARCH_10);
let p: TestPlatform;
let f: ReturnType<typeof billingFixtures>;
beforeAll(async () => {
  // No first-payment bonus, so every invoice collects its plan's price.
  p = await createTestPlatform({ build: { clock }, env: { FIRST_PAYMENT_BONUS_BPS: '0' } });
  f = billingFixtures(p);
});
afterAll(() => p.close());

const overview = async (token?: string) => {
  const res = await p.call<OverviewResource>('GET', '/v1/reports/overview', token ? { token } : {});
  expect(res.status).toBe(200);
  return res.body;
};
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const usd = (amount: number) => ({ amount, currency: 'USD' });
const of = (o: OverviewResource, currency: string) => o.currencies.find((c) => c.currency === currency) as CurrencyReport;

describe('GET /v1/reports/overview', () => {
  test('an empty platform reports zeros, and the search for a window in the empty log finds its start', async () => {
    expect(await firstPositionAt(p.deps.db, 0)).toBe(1);
    const empty = await overview();
    expect(empty).toMatchObject({ object: 'overview', currencies: [], subscriptions: { incomplete: 0, trialing: 0, active: 0, past_due: 0 }, outbox: { depth: 0, oldest_unpublished_at: null, oldest_age_seconds: null } });
    expect(empty.events.minutes).toHaveLength(60);
  });

  test('MRR, its movement this month and last, revenue per month, open and overdue invoices and subscription counts match what was set up', async () => {
    // March: three EUR subscriptions start paying (one yearly, counted at a twelfth).
    const basic = await f.plan({ name: 'Basic', price_amount: 1000 });
    const pro = await f.plan({ name: 'Pro', price_amount: 3000 });
    const yearly = await f.plan({ name: 'Yearly', price_amount: 24_000, interval: 'year' });
    const yearlyLite = await f.plan({ name: 'Yearly lite', price_amount: 12_000, interval: 'year' });
    const dollars = await f.plan({ name: 'Dollar', price_amount: 5000, currency: 'USD' });
    const trial = await f.plan({ name: 'Trial', price_amount: 2000, trial_days: 14 });
    const paying = async (planId: string) => f.subscribe({ customer_id: (await f.customer({ payment_method: 'tok_ok' })).id, plan_id: planId, trial: false });
    const a = await paying(basic.id);
    const b = await paying(yearly.id);
    const c = await paying(basic.id);
    await f.cycle();

    // April: A upgrades, B downgrades, C cancels, D and G start paying, E's card declines,
    // F has no payment method yet (its first attempt, as it subscribes, fails), H is on a trial.
    clock.set(APRIL_5);
    await f.ok('POST', `/v1/subscriptions/${a.id}/change-plan`, { plan_id: pro.id });
    clock.advance(MINUTE);
    await f.ok('POST', `/v1/subscriptions/${b.id}/change-plan`, { plan_id: yearlyLite.id });
    await f.ok('POST', `/v1/subscriptions/${c.id}/cancel`);
    clock.advance(MINUTE);
    await paying(basic.id);
    await paying(dollars.id);
    await f.subscribe({ customer_id: (await f.customer({ payment_method: 'tok_decline' })).id, plan_id: basic.id, trial: false });
    await f.cycle();
    clock.advance(MINUTE);
    await f.subscribe({ customer_id: (await f.customer()).id, plan_id: basic.id, trial: false });
    await f.subscribe({ customer_id: (await f.customer({ payment_method: 'tok_ok' })).id, plan_id: trial.id });
    clock.advance(30_000);

    const o = await overview(await p.tokenFor('viewer'));
    expect(o.generated_at).toBe(new Date(clock.now()).toISOString());
    expect(o.month_start).toBe('2026-04-01T00:00:00.000Z');
    expect(o.currencies.map((x) => x.currency)).toEqual(['EUR', 'USD']);
    const e = of(o, 'EUR');
    // Now: A 3000 + B 12000/12 + D 1000; in March it was A 1000 + B 2000 + C 1000.
    expect(e.mrr).toEqual(eur(5000));
    expect(e.mrr_movement).toEqual({ new: eur(1000), expansion: eur(2000), contraction: eur(1000), churn: eur(1000), net: eur(1000) });
    expect(e.mrr_movement_by_month.map((m) => m.month)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04']);
    expect(e.mrr_movement_by_month[4]!.movement).toEqual({ new: eur(4000), expansion: eur(0), contraction: eur(0), churn: eur(0), net: eur(4000) });
    expect(e.revenue_by_month).toHaveLength(12);
    expect(e.revenue_by_month.slice(-3)).toEqual([
      { month: '2026-02', collected: eur(0), invoices: 0 },
      { month: '2026-03', collected: eur(1000 + 24_000 + 1000), invoices: 3 },
      { month: '2026-04', collected: eur(1000), invoices: 1 },
    ]);
    expect(e.open).toEqual({ invoices: 2, amount_due: eur(2000) });
    expect(e.overdue).toEqual({ invoices: 2, amount_due: eur(2000) });

    const u = of(o, 'USD');
    expect(u.mrr).toEqual(usd(5000));
    expect(u.mrr_movement).toMatchObject({ new: usd(5000), net: usd(5000) });
    expect(u.revenue_by_month.at(-1)).toEqual({ month: '2026-04', collected: usd(5000), invoices: 1 });
    expect(u.open).toEqual({ invoices: 0, amount_due: usd(0) });

    expect(o.subscriptions).toEqual({ incomplete: 2, trialing: 1, active: 4, past_due: 0 });
    const subscriptions = await f.ok<{ data: SubscriptionResource[] }>('GET', '/v1/subscriptions?status=active&limit=100');
    expect(subscriptions.data).toHaveLength(4);
  });

  test('events per minute by type over the last hour, the outbox backlog and the consumer groups', async () => {
    const o = await overview();
    const minutes = o.events.minutes;
    expect(minutes).toHaveLength(60);
    // The last minute is the clock's: April 5, 00:03.
    expect(minutes.at(-1)).toBe('2026-04-05T00:03:00.000Z');
    const created = o.events.types.find((t) => t.type === 'subscription.created')!;
    // D, G and E at 00:02; F and H at 00:03. March's are outside the hour.
    expect(created.counts.slice(-4)).toEqual([0, 0, 3, 2]);
    expect(created.total).toBe(5);
    expect(o.events.types.find((t) => t.type === 'plan.created')).toBeUndefined();
    expect(o.events.types.map((t) => t.total)).toEqual([...o.events.types.map((t) => t.total)].sort((x, y) => y - x));

    // No relay runs here: every event waits in the outbox, the oldest since March 10.
    const events = await f.ok<{ data: unknown[]; next_cursor: string | null }>('GET', '/v1/events?limit=100');
    expect(events.next_cursor).toBeNull();
    expect(o.outbox).toEqual({ depth: events.data.length, oldest_unpublished_at: '2026-03-10T00:00:00.000Z', oldest_age_seconds: Math.floor((clock.now() - MARCH_10) / 1000) });
    expect(o.consumers).toEqual((await f.ok<ConsumerList>('GET', '/v1/consumers')).data);
  });

  test('the window search finds the first event at or after a time, as a scan of the whole log would', async () => {
    const rows = await p.deps.db.all<{ position: number; time: number }>(sql`SELECT rowid AS position, "time" FROM outbox ORDER BY rowid`);
    const times = [0, MARCH_10, MARCH_10 + 1, APRIL_5, APRIL_5 + MINUTE, APRIL_5 + 2 * MINUTE, APRIL_5 + 3 * MINUTE, clock.now() + 1];
    for (const time of times) {
      const expected = rows.find((r) => r.time >= time)?.position ?? rows.at(-1)!.position + 1;
      expect({ time, position: await firstPositionAt(p.deps.db, time) }).toEqual({ time, position: expected });
    }
  });

  test('negotiated prices (an event without the subscription\'s state) leave MRR and its movement as they were', async () => {
    const before = await overview();
    const active = await f.ok<{ data: SubscriptionResource[] }>('GET', '/v1/subscriptions?status=active&limit=1');
    await f.ok('PUT', `/v1/subscriptions/${active.data[0]!.id}/prices`, { charges: [], seat_price: 100, note: 'a deal' });
    const after = await overview();
    expect(after.currencies).toEqual(before.currencies);
  });

  test('the OpenAPI document describes the route for viewers', async () => {
    const docs = await f.ok<{ paths: Record<string, Record<string, { 'x-access'?: string; tags?: string[] }>> }>('GET', '/openapi.json');
    expect(docs.paths['/v1/reports/overview']?.get).toMatchObject({ 'x-access': 'viewer', tags: ['Reports'] });
  });
});

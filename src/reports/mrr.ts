import { and, count, eq, gte, inArray, like, lt, notInArray, sql } from 'drizzle-orm';
import { sandboxCustomerIds } from '../customers/clock.ts';
import type { Executor } from '../../db/client.ts';
import { outbox, planPrices, planVersions, subscriptions } from '../../db/schema/index.ts';
import { catalog, type EventData } from '../events/catalog.ts';
import { firstPositionAt, position } from './event-window.ts';
import { chunks } from '../../db/chunks.ts';
import { MRR_STATUSES, monthlyAmount, movementPerWindow, type Movement, type PricedState, type Timeline } from './metrics.ts';

/** The event types that carry a subscription's state after the change (each one of them does). */
const SUBSCRIPTION_EVENTS = Object.keys(catalog).filter((type) => type.startsWith('subscription.'));
type Snapshot = EventData<'subscription.created'>['subscription'];

/**
 * MRR per currency now: counted subscriptions (of live customers, not sandbox ones) grouped by their plan version's price in the
 * subscription's currency (the version's default price when that is its currency, else its
 * `plan_prices` row; a subscription without a currency is older than multi-currency: the default).
 */
export async function currentMrr(db: Executor): Promise<Map<string, number>> {
  const currency = sql<string>`coalesce(${subscriptions.currency}, ${planVersions.currency})`;
  const price = sql<number>`coalesce(${planPrices.priceAmount}, ${planVersions.priceAmount})`;
  const rows = await db
    .select({ currency, interval: planVersions.interval, price, n: count() })
    .from(subscriptions)
    .innerJoin(planVersions, and(eq(planVersions.planId, subscriptions.planId), eq(planVersions.version, subscriptions.planVersion)))
    .leftJoin(planPrices, and(eq(planPrices.planId, subscriptions.planId), eq(planPrices.version, subscriptions.planVersion), eq(planPrices.currency, subscriptions.currency)))
    .where(and(inArray(subscriptions.status, MRR_STATUSES), notInArray(subscriptions.customerId, sandboxCustomerIds(db))))
    .groupBy(currency, planVersions.interval, price);
  const mrr = new Map<string, number>();
  for (const r of rows) mrr.set(r.currency, (mrr.get(r.currency) ?? 0) + r.n * monthlyAmount(r.price, r.interval));
  return mrr;
}

/**
 * MRR movement per window between `bounds` (ascending times, ms; the last is now), from
 * the subscription events in those windows: each carries the subscription's state after
 * the change, and the last event before the first bound gives its state then. Sandbox
 * customers' subscriptions (on simulated time) are left out.
 */
export async function mrrMovement(db: Executor, bounds: readonly number[]): Promise<Map<string, Movement>[]> {
  const from = await firstPositionAt(db, bounds[0]!);
  const recent = await db
    .select({ subject: outbox.subject, time: outbox.time, data: outbox.data })
    .from(outbox)
    .where(and(inArray(outbox.type, SUBSCRIPTION_EVENTS), gte(position, from), carriesSnapshot, notInArray(sql`json_extract(${outbox.data}, '$.subscription.customer_id')`, sandboxCustomerIds(db))))
    .orderBy(position);
  const subjects = [...new Set(recent.map((e) => e.subject))];
  const earlier = await lastSnapshotsBefore(db, subjects, from);

  const states = [...earlier.values(), ...recent.map((e) => snapshotOf(e.data))];
  const prices = await pricesOf(db, states);
  const priced = (s: Snapshot): PricedState => ({ status: s.status, ...priceOf(prices, s) });
  const timelines = new Map<string, Timeline>(subjects.map((subject) => [subject, { initial: earlier.has(subject) ? priced(earlier.get(subject)!) : null, changes: [] }]));
  for (const e of recent) timelines.get(e.subject)!.changes.push({ at: e.time, state: priced(snapshotOf(e.data)) });
  return movementPerWindow(timelines.values(), bounds);
}

/**
 * The subscription events that carry its state (`data.subscription`); the others (a deal's
 * `subscription.prices_negotiated` names only `subscription_id`) change nothing MRR counts.
 */
const carriesSnapshot = sql`json_type(${outbox.data}, '$.subscription') = 'object'`;

const snapshotOf = (data: Record<string, unknown>) => (data as { subscription: Snapshot }).subscription;

/** Each subscription's last snapshot before outbox position `before`, read through the subject index, a portable chunk of subjects a query. */
async function lastSnapshotsBefore(db: Executor, subjects: string[], before: number): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  for (const part of chunks(subjects)) {
    // SQLite takes the bare columns of a max() aggregate from the row holding the maximum.
    const rows = await db
      .select({ subject: outbox.subject, data: outbox.data, last: sql<number>`max(${position})` })
      .from(outbox)
      .where(and(inArray(outbox.subject, part), lt(position, before), like(outbox.type, 'subscription.%'), carriesSnapshot))
      .groupBy(outbox.subject);
    for (const r of rows) out.set(r.subject, snapshotOf(r.data));
  }
  return out;
}

type Price = Omit<PricedState, 'status'>;

/**
 * The price terms of every plan version the snapshots name: `plan@version` for the default
 * price, `plan@version@currency` for each other currency.
 */
async function pricesOf(db: Executor, snapshots: Snapshot[]): Promise<Map<string, Price>> {
  const planIds = [...new Set(snapshots.map((s) => s.plan_id))];
  const out = new Map<string, Price>();
  for (const part of chunks(planIds)) {
    const rows = await db
      .select({ planId: planVersions.planId, version: planVersions.version, price: planVersions.priceAmount, currency: planVersions.currency, interval: planVersions.interval })
      .from(planVersions)
      .where(inArray(planVersions.planId, part));
    const intervals = new Map<string, Price['interval']>();
    for (const r of rows) {
      out.set(`${r.planId}@${r.version}`, { price: r.price, currency: r.currency, interval: r.interval });
      intervals.set(`${r.planId}@${r.version}`, r.interval);
    }
    const others = await db.select().from(planPrices).where(inArray(planPrices.planId, part));
    for (const r of others) {
      const interval = intervals.get(`${r.planId}@${r.version}`);
      if (interval) out.set(`${r.planId}@${r.version}@${r.currency}`, { price: r.priceAmount, currency: r.currency, interval });
    }
  }
  return out;
}

/** A snapshot's price: in its currency when it names one other than the version's default. */
const priceOf = (prices: Map<string, Price>, s: Snapshot): Price => {
  const version = `${s.plan_id}@${s.plan_version}`;
  return (s.currency ? prices.get(`${version}@${s.currency}`) : undefined) ?? prices.get(version)!;
};

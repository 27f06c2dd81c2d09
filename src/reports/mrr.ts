import { and, count, eq, gte, inArray, like, lt, notInArray, sql } from 'drizzle-orm';
import { sandboxCustomerIds } from '../customers/clock.ts';
import type { Executor } from '../../db/client.ts';
import { outbox, planVersions, subscriptions } from '../../db/schema/index.ts';
import { catalog, type EventData } from '../events/catalog.ts';
import { firstPositionAt, position } from './event-window.ts';
import { chunks } from '../../db/chunks.ts';
import { MRR_STATUSES, monthlyAmount, movementPerWindow, type Movement, type PricedState, type Timeline } from './metrics.ts';

/** The event types that carry a subscription's state after the change (each one of them does). */
const SUBSCRIPTION_EVENTS = Object.keys(catalog).filter((type) => type.startsWith('subscription.'));
type Snapshot = EventData<'subscription.created'>['subscription'];

/** MRR per currency now: counted subscriptions (of live customers, not sandbox ones) grouped by their plan version's price. */
export async function currentMrr(db: Executor): Promise<Map<string, number>> {
  const rows = await db
    .select({ currency: planVersions.currency, interval: planVersions.interval, price: planVersions.priceAmount, n: count() })
    .from(subscriptions)
    .innerJoin(planVersions, and(eq(planVersions.planId, subscriptions.planId), eq(planVersions.version, subscriptions.planVersion)))
    .where(and(inArray(subscriptions.status, MRR_STATUSES), notInArray(subscriptions.customerId, sandboxCustomerIds(db))))
    .groupBy(planVersions.currency, planVersions.interval, planVersions.priceAmount);
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
    .where(and(inArray(outbox.type, SUBSCRIPTION_EVENTS), gte(position, from), notInArray(sql`json_extract(${outbox.data}, '$.subscription.customer_id')`, sandboxCustomerIds(db))))
    .orderBy(position);
  const subjects = [...new Set(recent.map((e) => e.subject))];
  const earlier = await lastSnapshotsBefore(db, subjects, from);

  const states = [...earlier.values(), ...recent.map((e) => snapshotOf(e.data))];
  const prices = await pricesOf(db, states);
  const priced = (s: Snapshot): PricedState => ({ status: s.status, ...prices.get(`${s.plan_id}@${s.plan_version}`)! });
  const timelines = new Map<string, Timeline>(subjects.map((subject) => [subject, { initial: earlier.has(subject) ? priced(earlier.get(subject)!) : null, changes: [] }]));
  for (const e of recent) timelines.get(e.subject)!.changes.push({ at: e.time, state: priced(snapshotOf(e.data)) });
  return movementPerWindow(timelines.values(), bounds);
}

const snapshotOf = (data: Record<string, unknown>) => (data as { subscription: Snapshot }).subscription;

/** Each subscription's last snapshot before outbox position `before`, read through the subject index, a portable chunk of subjects a query. */
async function lastSnapshotsBefore(db: Executor, subjects: string[], before: number): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  for (const part of chunks(subjects)) {
    // SQLite takes the bare columns of a max() aggregate from the row holding the maximum.
    const rows = await db
      .select({ subject: outbox.subject, data: outbox.data, last: sql<number>`max(${position})` })
      .from(outbox)
      .where(and(inArray(outbox.subject, part), lt(position, before), like(outbox.type, 'subscription.%')))
      .groupBy(outbox.subject);
    for (const r of rows) out.set(r.subject, snapshotOf(r.data));
  }
  return out;
}

/** The price terms of every plan version the snapshots name, keyed `plan@version`. */
async function pricesOf(db: Executor, snapshots: Snapshot[]): Promise<Map<string, Omit<PricedState, 'status'>>> {
  const planIds = [...new Set(snapshots.map((s) => s.plan_id))];
  const out = new Map<string, Omit<PricedState, 'status'>>();
  for (const part of chunks(planIds)) {
    const rows = await db
      .select({ planId: planVersions.planId, version: planVersions.version, price: planVersions.priceAmount, currency: planVersions.currency, interval: planVersions.interval })
      .from(planVersions)
      .where(inArray(planVersions.planId, part));
    for (const r of rows) out.set(`${r.planId}@${r.version}`, { price: r.price, currency: r.currency, interval: r.interval });
  }
  return out;
}

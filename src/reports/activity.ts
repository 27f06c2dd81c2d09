import { and, count, inArray, isNull, min, notInArray, sql } from 'drizzle-orm';
import { sandboxCustomerIds } from '../customers/clock.ts';
import type { Executor } from '../../db/client.ts';
import { outbox, subscriptions, subscriptionStatuses } from '../../db/schema/index.ts';
import type { Bus } from '../bus/bus.ts';
import type { ConsumerResource } from '../events/contract.ts';
import { toIsoOrNull } from '../kernel/clock.ts';
import { firstPositionAt } from './event-window.ts';
import { perPeriod } from './metrics.ts';

const MINUTE = 60_000;

/** Events per type in each of the last `minutes` minutes up to `now`: the minutes' starts and one count per minute for each type, busiest type first. */
export async function eventsPerMinute(db: Executor, now: number, minutes = 60): Promise<{ minutes: number[]; types: { type: string; total: number; counts: number[] }[] }> {
  const starts = Array.from({ length: minutes }, (_, i) => (Math.floor(now / MINUTE) - minutes + 1 + i) * MINUTE);
  const from = await firstPositionAt(db, starts[0]!);
  // NOT INDEXED: grouping by type would tempt the planner into walking the whole type index; the rowid range is the window.
  const rows = await db.all<{ type: string; minute: number; n: number }>(
    sql`SELECT "type", ("time" / ${MINUTE}) * ${MINUTE} AS minute, count(*) AS n FROM ${outbox} NOT INDEXED WHERE rowid >= ${from} GROUP BY "type", minute`,
  );
  const byType = perPeriod(rows.map((r) => ({ at: r.minute, key: r.type, amount: r.n })), starts, starts.at(-1)! + MINUTE);
  const types = [...byType].map(([type, counts]) => ({ type, total: counts.reduce((a, b) => a + b, 0), counts }));
  types.sort((a, b) => b.total - a.total || a.type.localeCompare(b.type));
  return { minutes: starts, types };
}

/** The outbox's unpublished rows (read through its partial index): how many, and when the oldest was written. */
export async function outboxBacklog(db: Executor): Promise<{ depth: number; oldestAt: number | null }> {
  const [row] = await db.select({ depth: count(), oldest: min(outbox.time) }).from(outbox).where(isNull(outbox.publishedAt));
  return { depth: row?.depth ?? 0, oldestAt: row?.oldest ?? null };
}

/** Live subscriptions (all but canceled, which only grow) of live customers (not sandbox ones) by status, every live status present. */
export async function subscriptionCounts(db: Executor): Promise<Record<string, number>> {
  const live = subscriptionStatuses.filter((s) => s !== 'canceled');
  const rows = await db
    .select({ status: subscriptions.status, n: count() })
    .from(subscriptions)
    .where(and(inArray(subscriptions.status, live), notInArray(subscriptions.customerId, sandboxCustomerIds(db))))
    .groupBy(subscriptions.status);
  const out: Record<string, number> = Object.fromEntries(live.map((s) => [s, 0]));
  for (const r of rows) out[r.status] = r.n;
  return out;
}

/** Every consumer group with its position, lag and dead letters, as GET /v1/consumers shows them. */
export async function consumerGroups(bus: Pick<Bus, 'groups'>): Promise<ConsumerResource[]> {
  const groups = await bus.groups();
  return groups.map((g) => ({ group: g.group, types: g.types, position: g.position, lag: g.lag, dead_letters: g.deadLetters, updated_at: toIsoOrNull(g.updatedAt) }));
}

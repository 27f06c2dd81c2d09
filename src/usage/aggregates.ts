import { sql } from 'drizzle-orm';
import { prepared } from '../../db/prepared.ts';
import { usageAggregates } from '../../db/schema/index.ts';
import type { Executor } from '../../db/client.ts';

/**
 * The canonical key of a record's dimension values: the JSON of the values of the meter's
 * `group_by` properties, in that order, absent ones left out. The same values always give the
 * same text, so they add to the same aggregate row.
 */
export function dimensionsKey(groupBy: readonly string[], values: Readonly<Record<string, string | number | undefined>>): string {
  const picked: Record<string, string> = {};
  for (const name of groupBy) {
    const value = values[name];
    if (value !== undefined) picked[name] = String(value);
  }
  return JSON.stringify(picked);
}

/** A change to one aggregate row: a sum to add (sum, count, unique_count), or a value to keep the max or the latest of. */
export interface AggregateDelta {
  subscriptionId: string;
  periodStart: number;
  meter: string;
  dimensions: string;
  /** What the batch adds to the row's quantity. */
  add: number;
  /** The time of the newest record in the delta. */
  latestAt: number;
}

const addToAggregate = prepared((db) =>
  db
    .insert(usageAggregates)
    .values({
      subscriptionId: sql.placeholder('subscriptionId'),
      periodStart: sql.placeholder('periodStart'),
      meter: sql.placeholder('meter'),
      dimensions: sql.placeholder('dimensions'),
      quantity: sql.placeholder('add'),
      latestAt: sql.placeholder('latestAt'),
      updatedAt: sql.placeholder('updatedAt'),
    } as never)
    .onConflictDoUpdate({
      target: [usageAggregates.subscriptionId, usageAggregates.periodStart, usageAggregates.meter, usageAggregates.dimensions],
      set: {
        quantity: sql`${usageAggregates.quantity} + excluded.quantity`,
        latestAt: sql`max(${usageAggregates.latestAt}, excluded.latest_at)`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    .prepare(),
);

/**
 * Sums a batch's deltas per row in memory, so each aggregate row is written once per batch,
 * in the batch's transaction.
 */
export function aggregateSums() {
  const rows = new Map<string, AggregateDelta>();
  return {
    add(delta: AggregateDelta) {
      const key = `${delta.subscriptionId}\u0000${delta.periodStart}\u0000${delta.meter}\u0000${delta.dimensions}`;
      const row = rows.get(key);
      if (!row) rows.set(key, { ...delta });
      else {
        row.add += delta.add;
        row.latestAt = Math.max(row.latestAt, delta.latestAt);
      }
    },
    /** The batch's deltas not written yet for one subscription period (what its pricing adds to the stored rows). */
    pending(subscriptionId: string, periodStart: number): AggregateDelta[] {
      return [...rows.values()].filter((row) => row.subscriptionId === subscriptionId && row.periodStart === periodStart);
    },
    async flush(tx: Executor, now: number) {
      for (const row of rows.values()) await addToAggregate(tx).run({ ...row, updatedAt: now });
      rows.clear();
    },
  };
}

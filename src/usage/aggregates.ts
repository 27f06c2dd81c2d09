import { sql } from 'drizzle-orm';
import { prepared } from '../../db/prepared.ts';
import { usageAggregates, usageUniqueValues, type MeterAggregation } from '../../db/schema/index.ts';
import type { Executor } from '../../db/client.ts';

/**
 * The canonical key of a record's dimension values: the JSON of the values of the meter's
 * `group_by` properties, in that order, absent ones left out. The same values always give the
 * same text, so they add to the same aggregate row.
 */
export function dimensionsKey(groupBy: readonly string[], values: Readonly<Record<string, string | number | undefined>>): string {
  return JSON.stringify(dimensionValues(groupBy, values));
}

/** A record's values of the meter's `group_by` properties, in that order, as text (numbers stringified), absent ones left out. */
export function dimensionValues(groupBy: readonly string[], values: Readonly<Record<string, string | number | undefined>>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of groupBy) {
    const value = values[name];
    if (value !== undefined) picked[name] = String(value);
  }
  return picked;
}

/**
 * A change to one aggregate row: a quantity to add (sum, count), to keep the max of (max), or
 * the value of the newest record (latest); for unique_count, a value counted only the first time
 * its period and dimension values see it.
 */
export interface AggregateDelta {
  subscriptionId: string;
  periodStart: number;
  meter: string;
  aggregation: MeterAggregation;
  dimensions: string;
  /** sum, count: what to add; max: the largest value; latest: the value of the newest record; unique_count: unused (see `unique`). */
  add: number;
  /** The time of the newest record in the delta (latest: the one whose value `add` is). */
  latestAt: number;
  /** unique_count: the value whose first sighting counts 1. */
  unique?: string;
}

const target = [usageAggregates.subscriptionId, usageAggregates.periodStart, usageAggregates.meter, usageAggregates.dimensions];
const values = {
  subscriptionId: sql.placeholder('subscriptionId'),
  periodStart: sql.placeholder('periodStart'),
  meter: sql.placeholder('meter'),
  dimensions: sql.placeholder('dimensions'),
  quantity: sql.placeholder('add'),
  latestAt: sql.placeholder('latestAt'),
  updatedAt: sql.placeholder('updatedAt'),
} as never;
const upsert = (quantity: ReturnType<typeof sql>) =>
  prepared((db) =>
    db
      .insert(usageAggregates)
      .values(values)
      .onConflictDoUpdate({ target, set: { quantity, latestAt: sql`max(${usageAggregates.latestAt}, excluded.latest_at)`, updatedAt: sql`excluded.updated_at` } })
      .prepare(),
  );

// One statement per way a row folds in what a batch brings.
const writeRow: Record<'add' | 'max' | 'latest', ReturnType<typeof upsert>> = {
  add: upsert(sql`${usageAggregates.quantity} + excluded.quantity`),
  max: upsert(sql`max(${usageAggregates.quantity}, excluded.quantity)`),
  // The newest record's value; on a tie of times the later recorded (this batch) wins.
  latest: upsert(sql`case when excluded.latest_at >= ${usageAggregates.latestAt} then excluded.quantity else ${usageAggregates.quantity} end`),
};
const fold = (aggregation: MeterAggregation): keyof typeof writeRow => (aggregation === 'max' ? 'max' : aggregation === 'latest' ? 'latest' : 'add');

/** The values a batch saw first, of those it names: inserted or ignored, the inserted ones returned. */
async function firstSightings(tx: Executor, rows: (typeof usageUniqueValues.$inferInsert)[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await tx
      .insert(usageUniqueValues)
      .values(rows.slice(i, i + 500))
      .onConflictDoNothing()
      .returning();
    for (const r of inserted) seen.add(uniqueKey(r));
  }
  return seen;
}
const rowKey = (d: Pick<AggregateDelta, 'subscriptionId' | 'periodStart' | 'meter' | 'dimensions'>) => `${d.subscriptionId}\u0000${d.periodStart}\u0000${d.meter}\u0000${d.dimensions}`;
const uniqueKey = (d: Pick<AggregateDelta, 'subscriptionId' | 'periodStart' | 'meter' | 'dimensions'> & { value: string }) => `${rowKey(d)}\u0000${d.value}`;

/**
 * Folds a batch's deltas per row in memory, so each aggregate row is written once per batch,
 * in the batch's transaction: sum and count add, max keeps the largest, latest the value of the
 * newest record (the later in the batch on a tie). A unique_count's values are inserted (or
 * ignored) into usage_unique_values at the end, and each first sighting adds 1.
 */
export function aggregateSums() {
  const rows = new Map<string, AggregateDelta>();
  const uniques = new Map<string, AggregateDelta & { unique: string }>();
  return {
    add(delta: AggregateDelta) {
      if (delta.aggregation === 'unique_count') {
        const value = delta.unique ?? '';
        const key = uniqueKey({ ...delta, value });
        const had = uniques.get(key);
        if (!had) uniques.set(key, { ...delta, unique: value });
        else had.latestAt = Math.max(had.latestAt, delta.latestAt);
        return;
      }
      const key = rowKey(delta);
      const row = rows.get(key);
      if (!row) rows.set(key, { ...delta });
      else if (delta.aggregation === 'max') {
        row.add = Math.max(row.add, delta.add);
        row.latestAt = Math.max(row.latestAt, delta.latestAt);
      } else if (delta.aggregation === 'latest') {
        if (delta.latestAt >= row.latestAt) Object.assign(row, { add: delta.add, latestAt: delta.latestAt });
      } else {
        row.add += delta.add;
        row.latestAt = Math.max(row.latestAt, delta.latestAt);
      }
    },
    /** The batch's deltas not written yet for one subscription period (what its pricing adds to the stored rows). */
    pending(subscriptionId: string, periodStart: number): AggregateDelta[] {
      return [...rows.values()].filter((row) => row.subscriptionId === subscriptionId && row.periodStart === periodStart);
    },
    async flush(tx: Executor, now: number) {
      if (uniques.size > 0) {
        const all = [...uniques.values()];
        const first = await firstSightings(tx, all.map((u) => ({ subscriptionId: u.subscriptionId, periodStart: u.periodStart, meter: u.meter, dimensions: u.dimensions, value: u.unique })));
        for (const u of all) {
          const counted = first.has(uniqueKey({ ...u, value: u.unique }));
          const key = rowKey(u);
          const row = rows.get(key);
          if (!row) rows.set(key, { ...u, add: counted ? 1 : 0, unique: undefined });
          else {
            row.add += counted ? 1 : 0;
            row.latestAt = Math.max(row.latestAt, u.latestAt);
          }
        }
      }
      for (const row of rows.values()) {
        const { subscriptionId, periodStart, meter, dimensions, add, latestAt } = row;
        await writeRow[fold(row.aggregation)](tx).run({ subscriptionId, periodStart, meter, dimensions, add, latestAt, updatedAt: now });
      }
      rows.clear();
      uniques.clear();
    },
  };
}

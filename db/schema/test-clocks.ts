import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';

/**
 * A test clock's statuses: `ready` between advances, `advancing` while an advance runs
 * the billing pass step by step (src/test-clocks/advance.ts). A deleted clock keeps its
 * row (`deleted_at`) because its sandbox customers keep pointing at it.
 */
export const testClockStatuses = ['ready', 'advancing'] as const;

/** Simulated time for sandbox customers (src/test-clocks/). */
export const testClocks = sqliteTable(
  'test_clocks',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** The clock's now, milliseconds since the epoch; only moves forward. */
    frozenTime: timestamp('frozen_time').notNull(),
    status: text('status', { enum: testClockStatuses }).notNull(),
    /** Where the running advance goes; null when ready. */
    advancingTo: timestamp('advancing_to'),
    version: integer('version').notNull(),
    deletedAt: timestamp('deleted_at'),
    ...timestamps,
  },
  (t) => [index('test_clocks_live').on(t.deletedAt, t.id)],
);

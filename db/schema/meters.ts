import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';
import { planStatuses } from './plans.ts';

/**
 * How a meter turns the usage events that name it into one number per period: the `sum`,
 * `max` or `latest` of its `value_property`, the `count` of events, or the `unique_count` of
 * the distinct values of its `value_property`.
 */
export const meterAggregations = ['sum', 'count', 'max', 'unique_count', 'latest'] as const;
export type MeterAggregation = (typeof meterAggregations)[number];

/** The aggregations that read no property: the event itself is what they count. */
export const propertylessAggregations: readonly MeterAggregation[] = ['count'];

/**
 * The same lifecycle as a plan's: `active` meters can be priced; `archived` ones keep their definition and
 * history but take no new prices.
 */
export const meterStatuses = planStatuses;

/** The built-in meter every database has (the AI tokens the platform always priced); it never changes. */
export const BUILT_IN_METER_CODE = 'ai_tokens';

/** What is metered and how it aggregates (src/meters/); addressed by its `code`, which never changes. */
export const meters = sqliteTable(
  'meters',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    aggregation: text('aggregation', { enum: meterAggregations }).notNull(),
    /** The event property the aggregation reads; null for `count`. */
    valueProperty: text('value_property'),
    /** Dimension properties usage is broken down by, in order. */
    groupBy: text('group_by', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status', { enum: meterStatuses }).notNull(),
    /** Inserted by the migration (`ai_tokens`): it cannot be changed or archived. */
    builtIn: integer('built_in', { mode: 'boolean' }).notNull().default(false),
    archivedAt: timestamp('archived_at'),
    ...timestamps,
  },
  (t) => [
    // A code names one meter for good: archiving does not free it.
    uniqueIndex('meters_code').on(t.code),
    index('meters_status').on(t.status, t.id),
  ],
);

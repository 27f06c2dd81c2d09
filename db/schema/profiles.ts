import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';
import { customerSegments } from './customers.ts';

/** The profiling worker's view of a customer: segment, risk and why. */
export const profiles = sqliteTable('profiles', {
  customerId: text('customer_id').primaryKey(),
  segment: text('segment', { enum: customerSegments }).notNull(),
  riskScore: integer('risk_score').notNull(),
  segmentReasons: text('segment_reasons', { mode: 'json' }).$type<string[]>().notNull(),
  riskReasons: text('risk_reasons', { mode: 'json' }).$type<string[]>().notNull(),
  /** Sequence of the newest customer event this profile reflects; older events are ignored. */
  sourceSequence: integer('source_sequence').notNull(),
  computedAt: timestamp('computed_at').notNull(),
});

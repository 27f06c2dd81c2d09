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

/** What profiling knows of a customer's business with us, fed by billing and usage events. */
export const loyalty = sqliteTable('loyalty', {
  customerId: text('customer_id').primaryKey(),
  /** Lifetime revenue per currency, minor units: {"EUR": 123400}. */
  revenue: text('revenue', { mode: 'json' }).$type<Record<string, number>>().notNull(),
  paidInvoices: integer('paid_invoices').notNull(),
  usageTokens: integer('usage_tokens').notNull(),
  firstPaymentAt: timestamp('first_payment_at'),
  firstSubscribedAt: timestamp('first_subscribed_at'),
  updatedAt: timestamp('updated_at').notNull(),
});

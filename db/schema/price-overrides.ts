import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';
import type { StoredCharge } from './plans.ts';
import { subscriptions } from './subscriptions.ts';

/**
 * Negotiated prices of one subscription (a deal), versioned like plan terms: each change writes
 * version n+1 and never edits an older one. `charges` replace the plan version's charge of the
 * same meter; `seat_price` (when set) replaces its seat price. The latest version is in force
 * from `created_at`; an empty version (no charges, no seat price) ends the deal.
 */
export const subscriptionPriceOverrides = sqliteTable(
  'subscription_price_overrides',
  {
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    version: integer('version').notNull(),
    charges: text('charges', { mode: 'json' }).$type<StoredCharge[]>().notNull(),
    seatPrice: integer('seat_price'),
    /** Why the deal was made or changed, as the operator wrote it. */
    note: text('note'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.version] })],
);

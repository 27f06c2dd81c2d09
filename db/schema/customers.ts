import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';
import { testClocks } from './test-clocks.ts';

/**
 * Each list of values is written here once; the table's column, the API validators
 * (src/<domain>/contract.ts) and the event catalog (src/events/catalog.ts) derive from it.
 * A customer's statuses; the transitions between them live in src/customers/lifecycle.ts.
 */
export const customerStatuses = ['onboarded', 'active', 'deactivated', 'erased'] as const;
/** Segments from the lowest up; promotion moves one step (src/customers/lifecycle.ts). */
export const customerSegments = ['bronze', 'silver', 'gold', 'platinum'] as const;
export const customerKinds = ['sme', 'institution', 'individual'] as const;

export const customers = sqliteTable(
  'customers',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    email: text('email'),
    kind: text('kind', { enum: customerKinds }).notNull(),
    country: text('country'),
    phone: text('phone'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: customerStatuses }).notNull(),
    segment: text('segment', { enum: customerSegments }).notNull(),
    /** Tax on this customer's invoices, basis points (1900 = 19 %). */
    taxRateBps: integer('tax_rate_bps').notNull().default(0),
    /** The payment-method token invoices are collected from; null: none on file. */
    paymentMethod: text('payment_method'),
    /** The one currency this customer is billed in, set by its first subscription; null: none yet. */
    currency: text('currency'),
    /** How many live (not canceled) subscriptions it may hold at once; an operator's setting, never the tenant's. */
    maxSubscriptions: integer('max_subscriptions').notNull().default(1),
    /** Bumped on every change; optimistic concurrency and stale-read detection. */
    version: integer('version').notNull(),
    erasedAt: timestamp('erased_at'),
    /** A sandbox customer lives on this test clock for ever; null: a live customer, on the wall clock. */
    testClockId: text('test_clock_id').references(() => testClocks.id),
    ...timestamps,
  },
  (t) => [
    // Email is unique among live customers only: an erased customer frees its address.
    uniqueIndex('customers_email_live').on(t.email).where(sql`status <> 'erased'`),
    index('customers_status').on(t.status, t.id),
    index('customers_segment').on(t.segment, t.id),
    index('customers_kind').on(t.kind, t.id),
    index('customers_test_clock').on(t.testClockId).where(sql`test_clock_id IS NOT NULL`),
  ],
);

/** A user's statuses; the transitions between them live in src/users/lifecycle.ts. */
export const userStatuses = ['invited', 'active', 'deactivated', 'removed'] as const;
export const userRoles = ['owner', 'admin', 'member'] as const;

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    email: text('email'),
    name: text('name'),
    role: text('role', { enum: userRoles }).notNull(),
    status: text('status', { enum: userStatuses }).notNull(),
    /** Set once the user can sign in to the portal (sign-up, accepted invitation); null: no password yet. */
    passwordHash: text('password_hash'),
    /** Carried in every portal token as `ver`; bumped by a password reset, which ends all earlier tokens. */
    tokenVersion: integer('token_version').notNull().default(0),
    emailVerifiedAt: timestamp('email_verified_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_customer_email_live').on(t.customerId, t.email).where(sql`status <> 'removed'`),
    // One sign-in per address: among users who can sign in, an email is unique across customers.
    uniqueIndex('users_email_sign_in').on(t.email).where(sql`password_hash IS NOT NULL AND status <> 'removed'`),
    index('users_customer').on(t.customerId, t.id),
  ],
);

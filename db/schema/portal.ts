import { sql } from 'drizzle-orm';
import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { customerKinds } from './customers.ts';
import { timestamp, timestamps } from './columns.ts';

/** A sign-up's states: pending until the portal-signups worker onboarded its customer (ready) or could not (refused). */
export const signupStates = ['pending', 'ready', 'refused'] as const;

/**
 * Self-service sign-ups (POST /v1/portal/signup). The password hash waits here, never in an
 * event, until the worker onboards the customer and gives it to the owner user.
 */
export const portalSignups = sqliteTable(
  'portal_signups',
  {
    id: text('id').primaryKey(),
    companyName: text('company_name').notNull(),
    kind: text('kind', { enum: customerKinds }).notNull(),
    country: text('country').notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    /** Cleared once handed to the user (or the sign-up is refused). */
    passwordHash: text('password_hash'),
    state: text('state', { enum: signupStates }).notNull(),
    reason: text('reason'),
    customerId: text('customer_id'),
    userId: text('user_id'),
    ...timestamps,
  },
  (t) => [uniqueIndex('portal_signups_email_pending').on(t.email).where(sql`state = 'pending'`)],
);

/** What a one-time token lets its holder do. */
export const userTokenPurposes = ['password_reset', 'email_verification', 'invitation'] as const;

/** Single-use, expiring tokens sent by email; only their SHA-256 is stored. */
export const userTokens = sqliteTable(
  'user_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose', { enum: userTokenPurposes }).notNull(),
    userId: text('user_id').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    usedAt: timestamp('used_at'),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('user_tokens_user').on(t.userId, t.purpose)],
);

/** Portal tokens ended by logout, by `jti`, kept until they would have expired anyway. */
export const userRevokedTokens = sqliteTable(
  'user_revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    userId: text('user_id').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [index('user_revoked_tokens_expires').on(t.expiresAt)],
);

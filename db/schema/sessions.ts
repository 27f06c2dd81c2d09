import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';

/** Tokens ended by logout, by `jti`; a row is only needed until the token would have expired anyway. */
export const revokedTokens = sqliteTable(
  'revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    operatorId: text('operator_id').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [index('revoked_tokens_expires').on(t.expiresAt)],
);

/**
 * Failed-login counters in fixed windows, keyed by `email:<sha256>` or `address:<sha256>`
 * (hashed: the table holds no email or IP address). Shared by every process on the database.
 */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    key: text('key').primaryKey(),
    windowStart: timestamp('window_start').notNull(),
    failures: integer('failures').notNull(),
  },
  (t) => [index('login_failures_window').on(t.windowStart)],
);

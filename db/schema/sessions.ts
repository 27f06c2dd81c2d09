import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
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


import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';

/**
 * Fixed-window counters shared by every process on the database: the request rate
 * limits (`src/limits/`) and the failed-login throttle (`src/auth/login-throttle.ts`).
 * `key` names what is counted (`principal:operator:opr_…`, `address:login:<sha256>`, `login-failures:email:<sha256>`;
 * addresses and emails only hashed); a row whose window has ended counts as zero and is purged.
 */
export const rateCounters = sqliteTable(
  'rate_counters',
  {
    key: text('key').primaryKey(),
    /** When the current window ends (exclusive). */
    resetsAt: timestamp('resets_at').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('rate_counters_resets_at').on(t.resetsAt)],
);

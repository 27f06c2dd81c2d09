import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';

/** From the most privileged to the least: src/http/access.ts ranks routes' access by this order. */
export const operatorRoles = ['admin', 'operator', 'viewer'] as const;

/** People who run the platform (admin dashboard and API), not users of a customer. */
export const operators = sqliteTable('operators', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role', { enum: operatorRoles }).notNull(),
  passwordHash: text('password_hash').notNull(),
  disabledAt: timestamp('disabled_at'),
  /** Carried in every token as `ver`; bumped on a password, role or access change, which ends all earlier tokens. */
  tokenVersion: integer('token_version').notNull().default(0),
  ...timestamps,
});

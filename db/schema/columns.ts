import { integer } from 'drizzle-orm/sqlite-core';

/** Every timestamp is integer milliseconds since the epoch (UTC); one representation everywhere. */
export const timestamp = (name: string) => integer(name);

/** created_at / updated_at pair shared by mutable aggregates. */
export const timestamps = {
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
};

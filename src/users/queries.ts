import { and, eq, ne } from 'drizzle-orm';
import type * as v from 'valibot';
import type { Executor } from '../../db/client.ts';
import { listPage } from '../../db/paging.ts';
import { users } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { notFound } from '../kernel/errors.ts';
import { toUserResource } from './present.ts';
import type { listUsersQuery } from './contract.ts';

/** A customer's users that are not removed, newest first, one keyset page at a time; not_found for an unknown customer. */
export async function listUsers(db: Executor, customerId: string, query: v.InferOutput<typeof listUsersQuery>) {
  await loadCustomer(db, customerId);
  const where = [eq(users.customerId, customerId), ne(users.status, 'removed')];
  return listPage(db.select().from(users).$dynamic(), query, { key: users.id, keyOf: (r) => r.id, where, present: (rows) => rows.map(toUserResource) });
}

/** One user of a customer, in any status (a removed user shows as removed); not_found for another customer's user. */
export async function getUser(db: Executor, customerId: string, userId: string) {
  await loadCustomer(db, customerId);
  const [row] = await db.select().from(users).where(and(eq(users.id, userId), eq(users.customerId, customerId)));
  if (!row) throw notFound('User', userId);
  return toUserResource(row);
}

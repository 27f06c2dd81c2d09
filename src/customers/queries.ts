import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers } from '../../db/schema/index.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { loadCustomer } from './load.ts';
import { toCustomerResource } from './present.ts';
import type { ListCustomersQuery } from './schema.ts';

/** One customer by id. */
export async function getCustomer(db: Executor, id: string) {
  return toCustomerResource(await loadCustomer(db, id));
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Customers newest first, filtered, one keyset page at a time. */
export async function listCustomers(db: Executor, query: ListCustomersQuery) {
  const after = decodeCursor(query.cursor, 'string');
  const filters: (SQL | undefined)[] = [
    after ? lt(customers.id, after) : undefined,
    query.status ? eq(customers.status, query.status) : undefined,
    query.segment ? eq(customers.segment, query.segment) : undefined,
    query.kind ? eq(customers.kind, query.kind) : undefined,
    query.email ? eq(customers.email, query.email) : undefined,
  ];
  if (query.q) {
    const pattern = `%${escapeLike(query.q.toLowerCase())}%`;
    filters.push(or(sql`${customers.email} LIKE ${pattern} ESCAPE '\\'`, sql`${customers.name} LIKE ${pattern} ESCAPE '\\'`));
  }
  const rows = await db
    .select()
    .from(customers)
    .where(and(...filters))
    .orderBy(desc(customers.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => r.id, toCustomerResource);
}

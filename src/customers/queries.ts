import { eq, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { filterBy, listPage, type PageRequest } from '../../db/paging.ts';
import { customerNotifications, customers } from '../../db/schema/index.ts';
import { loadCustomer } from './load.ts';
import { toCustomerResource, toNotificationEntry } from './present.ts';
import type { ListCustomersQuery } from './contract.ts';

/** One customer by id. */
export async function getCustomer(db: Executor, id: string) {
  return toCustomerResource(await loadCustomer(db, id));
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Name or email containing `q`, ignoring case. Three characters or more are looked up
 * in the trigram index (`customers_search`, migration 0007) instead of reading every
 * customer; shorter text has no trigram and falls back to LIKE, whose own wildcards
 * in `q` match only themselves.
 */
function nameOrEmailContains(q: string) {
  if ([...q].length >= 3) {
    const phrase = `"${q.replaceAll('"', '""')}"`;
    return sql`${customers}.rowid IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ${phrase})`;
  }
  const pattern = `%${escapeLike(q.toLowerCase())}%`;
  return or(sql`${customers.email} LIKE ${pattern} ESCAPE '\\'`, sql`${customers.name} LIKE ${pattern} ESCAPE '\\'`);
}

/** Customers newest first, filtered, one keyset page at a time. */
export function listCustomers(db: Executor, query: ListCustomersQuery) {
  const where = [
    filterBy(customers.id, query.customer_id),
    filterBy(customers.status, query.status),
    filterBy(customers.segment, query.segment),
    filterBy(customers.kind, query.kind),
    filterBy(customers.email, query.email),
    query.q ? nameOrEmailContains(query.q) : undefined,
  ];
  return listPage(db.select().from(customers).$dynamic(), query, { key: customers.id, keyOf: (r) => r.id, where, present: (rows) => rows.map(toCustomerResource) });
}

/** A customer's notification history, newest first, one keyset page at a time. */
export function listCustomerNotifications(db: Executor, customerId: string, page: PageRequest) {
  return listPage(db.select().from(customerNotifications).$dynamic(), page, {
    key: customerNotifications.notificationId,
    keyOf: (r) => r.notificationId,
    where: [eq(customerNotifications.customerId, customerId)],
    present: (rows) => rows.map(toNotificationEntry),
  });
}

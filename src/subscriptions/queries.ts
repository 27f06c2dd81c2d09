import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { subscriptionAdjustments, subscriptions } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { loadSubscription } from './load.ts';
import { toAdjustmentResource, toSubscriptionResource } from './present.ts';
import type { ListAdjustmentsQuery, ListSubscriptionsQuery } from './schema.ts';

/** One subscription. */
export async function getSubscription(db: Executor, id: string) {
  return toSubscriptionResource(await loadSubscription(db, id));
}

/** Subscriptions, newest first, filtered, one keyset page at a time. */
export async function listSubscriptions(db: Executor, query: ListSubscriptionsQuery) {
  const after = decodeCursor(query.cursor, 'string');
  const filters: (SQL | undefined)[] = [
    after ? lt(subscriptions.id, after) : undefined,
    query.status ? eq(subscriptions.status, query.status) : undefined,
    query.customer_id ? eq(subscriptions.customerId, query.customer_id) : undefined,
    query.plan_id ? eq(subscriptions.planId, query.plan_id) : undefined,
  ];
  const rows = await db.select().from(subscriptions).where(and(...filters)).orderBy(desc(subscriptions.id)).limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => r.id, toSubscriptionResource);
}

/** A customer's subscriptions (404 for an unknown customer), newest first. */
export async function listCustomerSubscriptions(db: Executor, customerId: string, query: Omit<ListSubscriptionsQuery, 'customer_id' | 'plan_id'>) {
  await loadCustomer(db, customerId);
  return listSubscriptions(db, { ...query, customer_id: customerId });
}

/** A subscription's proration lines, oldest first, one keyset page at a time. */
export async function listAdjustments(db: Executor, id: string, query: ListAdjustmentsQuery) {
  await loadSubscription(db, id);
  const after = decodeCursor(query.cursor, 'string');
  const rows = await db
    .select()
    .from(subscriptionAdjustments)
    .where(and(eq(subscriptionAdjustments.subscriptionId, id), after ? gt(subscriptionAdjustments.id, after) : undefined))
    .orderBy(asc(subscriptionAdjustments.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (r) => r.id, toAdjustmentResource);
}

import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { subscriptionAddOns, subscriptionAdjustments, subscriptions } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { loadSubscription } from './load.ts';
import { toAddOnResource, toAdjustmentResource, toSubscriptionResource } from './present.ts';
import type { ListAddOnsQuery, ListAdjustmentsQuery, ListSubscriptionsQuery } from './contract.ts';

/** One subscription. */
export async function getSubscription(db: Executor, id: string) {
  return toSubscriptionResource(await loadSubscription(db, id));
}

/** Subscriptions, newest first, filtered, one keyset page at a time. */
export function listSubscriptions(db: Executor, query: ListSubscriptionsQuery) {
  const where = [filterBy(subscriptions.status, query.status), filterBy(subscriptions.customerId, query.customer_id), filterBy(subscriptions.planId, query.plan_id)];
  return listPage(db.select().from(subscriptions).$dynamic(), query, { key: subscriptions.id, keyOf: (r) => r.id, where, present: (rows) => rows.map(toSubscriptionResource) });
}

/** A customer's subscriptions (404 for an unknown customer), newest first. */
export async function listCustomerSubscriptions(db: Executor, customerId: string, query: Omit<ListSubscriptionsQuery, 'customer_id' | 'plan_id'>) {
  await loadCustomer(db, customerId);
  return listSubscriptions(db, { ...query, customer_id: customerId });
}

/** A subscription's proration lines, oldest first, one keyset page at a time. */
export async function listAdjustments(db: Executor, id: string, query: ListAdjustmentsQuery) {
  await loadSubscription(db, id);
  return listPage(db.select().from(subscriptionAdjustments).$dynamic(), query, {
    key: subscriptionAdjustments.id,
    keyOf: (r) => r.id,
    order: 'asc',
    where: [eq(subscriptionAdjustments.subscriptionId, id)],
    present: (rows) => rows.map(toAdjustmentResource),
  });
}

/** A subscription's add-ons, removed ones too (`removed_at`), oldest first, one keyset page at a time. */
export async function listAddOns(db: Executor, id: string, query: ListAddOnsQuery) {
  await loadSubscription(db, id);
  return listPage(db.select().from(subscriptionAddOns).$dynamic(), query, {
    key: subscriptionAddOns.id,
    keyOf: (r) => r.id,
    order: 'asc',
    where: [eq(subscriptionAddOns.subscriptionId, id)],
    present: (rows) => rows.map(toAddOnResource),
  });
}

/** A subscription's proration lines no invoice has taken yet, oldest first: what its next invoice will carry (few: one period's changes). */
export async function listPendingAdjustments(db: Executor, id: string) {
  const rows = await db
    .select()
    .from(subscriptionAdjustments)
    .where(and(eq(subscriptionAdjustments.subscriptionId, id), isNull(subscriptionAdjustments.invoicedAt)))
    .orderBy(asc(subscriptionAdjustments.id));
  return rows.map(toAdjustmentResource);
}

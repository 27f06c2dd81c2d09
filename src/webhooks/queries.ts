import { and, eq, inArray } from 'drizzle-orm';
import { inChunks } from '../../db/chunks.ts';
import type { Executor } from '../../db/client.ts';
import { prepared } from '../../db/prepared.ts';
import { filterBy, listPage, type PageRequest } from '../../db/paging.ts';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { notFound } from '../kernel/errors.ts';
import type { ListDeliveriesQuery, WebhookDeliveryResource } from './contract.ts';
import { toDeliveryResource, toWebhookResource, type DeliveryRow } from './present.ts';

const anyEnabledEndpoint = prepared((db) => db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true)).limit(1).prepare());

/** Whether any customer has an enabled webhook endpoint: without one, no event is anybody's delivery. */
export async function anyEndpointEnabled(db: Executor): Promise<boolean> {
  const [any] = await anyEnabledEndpoint(db).all();
  return any !== undefined;
}

/** A customer's webhook endpoints, newest first, one keyset page at a time; not_found for an unknown customer. */
export async function listWebhooks(db: Executor, customerId: string, page: PageRequest, now: number) {
  await loadCustomer(db, customerId);
  return listPage(db.select().from(webhookEndpoints).$dynamic(), page, {
    key: webhookEndpoints.id,
    keyOf: (r) => r.id,
    where: [eq(webhookEndpoints.customerId, customerId)],
    present: (rows) => rows.map((r) => toWebhookResource(r, now)),
  });
}

/** One endpoint of a customer; not_found for another customer's endpoint. */
export async function getWebhook(db: Executor, customerId: string, endpointId: string, now: number) {
  await loadCustomer(db, customerId);
  const [row] = await db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.customerId, customerId)));
  if (!row) throw notFound('Webhook endpoint', endpointId);
  return toWebhookResource(row, now);
}

/** An endpoint's delivery log, newest first, each delivery with its attempts (one query for the page's attempts). */
export async function listDeliveries(db: Executor, customerId: string, endpointId: string, query: ListDeliveriesQuery, now: number) {
  await getWebhook(db, customerId, endpointId, now);
  return listPage(db.select().from(webhookDeliveries).$dynamic(), query, {
    key: webhookDeliveries.id,
    keyOf: (r) => r.id,
    where: [eq(webhookDeliveries.endpointId, endpointId), filterBy(webhookDeliveries.status, query.status)],
    present: (rows) => withAttempts(db, rows),
  });
}

/** One delivery of an endpoint with its attempts; not_found when it is another endpoint's. */
export async function getDelivery(db: Executor, customerId: string, endpointId: string, deliveryId: string, now: number): Promise<WebhookDeliveryResource> {
  await getWebhook(db, customerId, endpointId, now);
  const [row] = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)));
  if (!row) throw notFound('Webhook delivery', deliveryId);
  const [shown] = await withAttempts(db, [row]);
  return shown!;
}

/** Deliveries with their attempts, read in one query per chunk of ids. */
export async function withAttempts(db: Executor, rows: DeliveryRow[]): Promise<WebhookDeliveryResource[]> {
  const attempts = await inChunks(rows.map((r) => r.id), (part) => db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, part)));
  return rows.map((r) => toDeliveryResource(r, attempts.filter((a) => a.deliveryId === r.id)));
}

import { and, eq } from 'drizzle-orm';
import { customers, invoices, payments, subscriptions, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import type { KnownEvent } from '../events/catalog.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';

/**
 * The customer an event is about, found by its subject as the customer's timeline does
 * (`listCustomerEvents`): the customer itself (lifecycle, users, credits, notifications,
 * webhook endpoints) or one of its subscriptions, invoices or payments. Null for events
 * about no customer (plans).
 */
async function customerOfSubject(ctx: TxCtx, subject: string): Promise<string | null> {
  const prefix = subject.slice(0, subject.indexOf('_'));
  const table = { cus: customers, sub: subscriptions, inv: invoices, pay: payments }[prefix];
  if (!table) return null;
  if (table === customers) return subject;
  const owner = table as typeof subscriptions;
  const [row] = await ctx.tx.select({ customerId: owner.customerId }).from(owner).where(eq(owner.id, subject));
  return row?.customerId ?? null;
}

/**
 * Fans an event out to its customer's webhooks: one pending delivery per enabled endpoint of
 * that customer that asked for its type (or `*`), none for an erased customer or an event about
 * no customer. A delivery is unique per endpoint and event, so a redelivered event queues none
 * twice. The body is the event's CloudEvents envelope, fixed now, so every attempt (and a
 * resend) sends the same bytes. Sending is the sender's job (`deliver.ts`).
 */
export async function queueWebhookDeliveries(ctx: TxCtx, event: KnownEvent): Promise<void> {
  const customerId = await customerOfSubject(ctx, event.subject);
  if (!customerId) return;
  const [customer] = await ctx.tx.select({ status: customers.status }).from(customers).where(eq(customers.id, customerId));
  if (!customer || customer.status === 'erased') return;
  const endpoints = await ctx.tx
    .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.customerId, customerId), eq(webhookEndpoints.enabled, true)));
  const wanted = endpoints.filter((e) => e.eventTypes.includes('*') || e.eventTypes.includes(event.type));
  if (wanted.length === 0) return;
  const payload = JSON.stringify(envelopeOf(event));
  const now = ctx.clock.now();
  for (const endpoint of wanted) {
    await ctx.tx
      .insert(webhookDeliveries)
      .values({ id: newId('whd', now), endpointId: endpoint.id, customerId, eventId: event.id, eventType: event.type, payload, status: 'pending', nextAttemptAt: now, createdAt: now, updatedAt: now })
      .onConflictDoNothing();
  }
}

/** The event as CloudEvents 1.0 structured JSON, attributes in the spec's order. */
function envelopeOf(event: KnownEvent) {
  const { specversion, id, source, type, subject, time, datacontenttype, sequence, data } = event;
  return { specversion, id, source, type, subject, time, datacontenttype, sequence, data };
}

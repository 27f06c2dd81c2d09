import { and, asc, eq } from 'drizzle-orm';
import { customers, notifications, users } from '../../db/schema/index.ts';
import type { EventHandler } from '../bus/consumer.ts';
import type { EventData } from '../events/catalog.ts';
import { newId } from '../kernel/ids.ts';
import { customerEvents, customerOf, notifyingEvents, ownerCustomerOf, ownerEvents, render, renderBilling, renderForOwner, type BillingEvent, type CustomerEvent, type OwnerEvent, type Rendered } from './templates.ts';

const isCustomerEvent = (type: string): type is CustomerEvent => (customerEvents as string[]).includes(type);
const isOwnerEvent = (type: string): type is OwnerEvent => (ownerEvents as string[]).includes(type);

/**
 * The notifications consumer: turns customer lifecycle and billing events (invoice
 * finalized, payment succeeded/failed/refunded, subscription canceled, quota
 * exceeded, credit granted) and a webhook endpoint disabled for failing (told to
 * the customer's owner) into pending
 * notifications (one per event and channel). Sending happens in the
 * dispatcher, so a slow or failing channel never holds up the event stream.
 */
export const notificationsHandler: EventHandler = {
  group: 'notifications',
  types: notifyingEvents,
  async handle(ctx, event) {
    let customer: { id: string; email: string | null; phone?: string | null | undefined };
    let message: Rendered | null;
    if (isCustomerEvent(event.type)) {
      const data = event.data as EventData<CustomerEvent>;
      customer = data.customer;
      // An event read before its customer was erased still carries the old addresses.
      const [current] = await ctx.tx.select({ status: customers.status }).from(customers).where(eq(customers.id, customer.id));
      if (!current || current.status === 'erased') return;
      message = render(event.type, data);
    } else if (isOwnerEvent(event.type)) {
      const data = event.data as EventData<OwnerEvent>;
      const [current] = await ctx.tx.select().from(customers).where(eq(customers.id, ownerCustomerOf(event.type, data)));
      if (!current || current.status === 'erased') return;
      // The customer's first active owner; the company's address when it has none.
      const [owner] = await ctx.tx
        .select({ email: users.email, name: users.name })
        .from(users)
        .where(and(eq(users.customerId, current.id), eq(users.role, 'owner'), eq(users.status, 'active')))
        .orderBy(asc(users.id))
        .limit(1);
      customer = { id: current.id, email: owner?.email ?? current.email };
      message = renderForOwner(event.type, data, { id: current.id, name: owner?.name ?? current.name });
    } else {
      const type = event.type as BillingEvent;
      const data = event.data as EventData<BillingEvent>;
      const [current] = await ctx.tx.select().from(customers).where(eq(customers.id, customerOf(type, data)));
      if (!current || current.status === 'erased') return;
      customer = current;
      message = renderBilling(type, data, current);
    }
    if (!message) return;
    const now = ctx.clock.now();
    const rows = [];
    if (customer.email) rows.push({ channel: 'email' as const, recipient: customer.email, body: message.body });
    if (customer.phone && message.sms) rows.push({ channel: 'sms' as const, recipient: customer.phone, body: message.sms });
    for (const row of rows) {
      await ctx.tx
        .insert(notifications)
        .values({
          id: newId('ntf', now),
          eventId: event.id,
          customerId: customer.id,
          channel: row.channel,
          template: message.template,
          recipient: row.recipient,
          subject: message.subject,
          body: row.body,
          status: 'pending',
          nextAttemptAt: now,
          requestId: ctx.requestId ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing();
    }
  },
};

import { eq } from 'drizzle-orm';
import { customers, notifications } from '../../db/schema/index.ts';
import type { EventHandler } from '../bus/consumer.ts';
import type { EventData } from '../events/catalog.ts';
import { newId } from '../kernel/ids.ts';
import { customerEvents, customerOf, notifyingEvents, render, renderBilling, type BillingEvent, type CustomerEvent, type Rendered } from './templates.ts';

const isCustomerEvent = (type: string): type is CustomerEvent => (customerEvents as string[]).includes(type);

/**
 * The notifications consumer: turns customer lifecycle and billing events (invoice
 * finalized, payment succeeded/failed/refunded, subscription canceled, quota
 * exceeded, credit granted) into pending
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
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing();
    }
  },
};

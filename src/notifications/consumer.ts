import type { EventHandler } from '../bus/consumer.ts';
import type { EventData } from '../events/catalog.ts';
import type { TxCtx } from '../kernel/context.ts';
import { firstActiveOwner, notifiableCustomer } from './queries.ts';
import { queueNotification, type NotificationRequest } from './queue.ts';
import { customerEvents, customerOf, notifyingEvents, ownerCustomerOf, ownerEvents, render, renderBilling, renderForOwner, type BillingEvent, type CustomerEvent, type NotifyingEvent, type OwnerEvent } from './templates.ts';

const isCustomerEvent = (type: string): type is CustomerEvent => (customerEvents as string[]).includes(type);
const isOwnerEvent = (type: string): type is OwnerEvent => (ownerEvents as string[]).includes(type);

/**
 * What an event tells whom: the message and its addresses, or null when there is nobody to tell
 * (an erased customer) or nothing to say. A lifecycle event goes to the addresses it carries, an
 * owner event to the customer's first active owner (the company's address when it has none), a
 * billing event to the customer's current addresses.
 */
async function noticeOf(ctx: TxCtx, type: NotifyingEvent, data: EventData<NotifyingEvent>, eventId: string): Promise<NotificationRequest | null> {
  if (isCustomerEvent(type)) {
    const { customer } = data as EventData<CustomerEvent>;
    // An event read before its customer was erased still carries the old addresses.
    if (!(await notifiableCustomer(ctx.tx, customer.id))) return null;
    return { eventId, customerId: customer.id, to: customer, message: render(type, data as EventData<CustomerEvent>) };
  }
  if (isOwnerEvent(type)) {
    const current = await notifiableCustomer(ctx.tx, ownerCustomerOf(type, data as EventData<OwnerEvent>));
    if (!current) return null;
    const owner = await firstActiveOwner(ctx.tx, current.id);
    const message = renderForOwner(type, data as EventData<OwnerEvent>, { id: current.id, name: owner?.name ?? current.name });
    return message && { eventId, customerId: current.id, to: { email: owner?.email ?? current.email }, message };
  }
  const current = await notifiableCustomer(ctx.tx, customerOf(type, data as EventData<BillingEvent>));
  if (!current) return null;
  const message = renderBilling(type, data as EventData<BillingEvent>, current);
  return message && { eventId, customerId: current.id, to: current, message };
}

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
    const notice = await noticeOf(ctx, event.type as NotifyingEvent, event.data as EventData<NotifyingEvent>, event.id);
    if (notice) await queueNotification(ctx, notice);
  },
};

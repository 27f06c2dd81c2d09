import type { InferSelectModel } from 'drizzle-orm';
import type { customerNotifications, customers, users } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { CustomerResource, NotificationEntry } from './contract.ts';

export type CustomerRow = InferSelectModel<typeof customers>;

/** The API shape of a customer. */
export function toCustomerResource(row: CustomerRow): CustomerResource {
  return {
    id: row.id,
    object: 'customer',
    name: row.name,
    email: row.email,
    kind: row.kind,
    country: row.country,
    phone: row.phone,
    metadata: row.metadata,
    status: row.status,
    segment: row.segment,
    tax_rate_bps: row.taxRateBps,
    payment_method: row.paymentMethod,
    currency: row.currency,
    max_subscriptions: row.maxSubscriptions,
    version: row.version,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    erased_at: toIsoOrNull(row.erasedAt),
    test_clock_id: row.testClockId,
  };
}

/** The customer as carried inside events. */
export function toCustomerSnapshot(row: CustomerRow): EventData<'customer.onboarded'>['customer'] {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    kind: row.kind,
    country: row.country,
    currency: row.currency,
    status: row.status,
    segment: row.segment,
    ...(row.testClockId === null ? {} : { test_clock_id: row.testClockId }),
  };
}

/**
 * A user of the customer as carried inside events. Users belong to the customer aggregate
 * (db/schema/customers.ts) and onboarding creates the first one, so the snapshot sits here,
 * below src/users, which builds on customers.
 */
export function toUserSnapshot(row: InferSelectModel<typeof users>): EventData<'user.created'>['user'] {
  return { id: row.id, customer_id: row.customerId, email: row.email, name: row.name, role: row.role, status: row.status };
}

/** One entry of a customer's notification history. */
export function toNotificationEntry(row: InferSelectModel<typeof customerNotifications>): NotificationEntry {
  return {
    notification_id: row.notificationId,
    channel: row.channel,
    template: row.template,
    status: row.status,
    reason: row.reason,
    event_id: row.eventId,
    at: toIso(row.at),
  };
}

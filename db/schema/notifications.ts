import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp, timestamps } from './columns.ts';

export const notificationChannels = ['email', 'sms'] as const;
/** How a notification ended: sent, or failed for good. */
export const notificationOutcomes = ['sent', 'failed'] as const;
export const notificationStatuses = ['pending', ...notificationOutcomes] as const;

/** Every notification the notifications worker decided to send, with its delivery status. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id').notNull(),
    customerId: text('customer_id').notNull(),
    channel: text('channel', { enum: notificationChannels }).notNull(),
    template: text('template').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: notificationStatuses }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at'),
    lastError: text('last_error'),
    /** The request whose events led to this notification, for the dispatcher's log lines. */
    requestId: text('request_id'),
    sentAt: timestamp('sent_at'),
    ...timestamps,
  },
  (t) => [
    // One notification per triggering event and channel: redelivery cannot send twice.
    uniqueIndex('notifications_event_channel').on(t.eventId, t.channel),
    index('notifications_due').on(t.status, t.nextAttemptAt),
    index('notifications_customer').on(t.customerId, t.id),
  ],
);

/** The customer side's view: notification outcomes per customer, fed by notification.* events. */
export const customerNotifications = sqliteTable(
  'customer_notifications',
  {
    notificationId: text('notification_id').primaryKey(),
    customerId: text('customer_id').notNull(),
    channel: text('channel').notNull(),
    template: text('template').notNull(),
    status: text('status', { enum: notificationOutcomes }).notNull(),
    reason: text('reason'),
    eventId: text('event_id').notNull(),
    at: timestamp('at').notNull(),
  },
  (t) => [index('customer_notifications_customer').on(t.customerId, t.notificationId)],
);

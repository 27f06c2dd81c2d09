import type { EventHandler } from '../bus/consumer.ts';
import type { EventData } from '../events/catalog.ts';
import { recordNotificationOutcome } from './notification-history.ts';

/**
 * The customer side of notifications: folds `notification.sent|failed` into a
 * per-customer history, independent of the notifications worker's own tables.
 */
export const customerNotificationsHandler: EventHandler = {
  group: 'customer-notifications',
  types: ['notification.sent', 'notification.failed'],
  async handle(ctx, event) {
    const data = event.data as EventData<'notification.sent'> & { reason?: string };
    await recordNotificationOutcome(ctx, {
      notificationId: data.notification_id,
      customerId: data.customer_id,
      channel: data.channel,
      template: data.template,
      status: event.type === 'notification.sent' ? 'sent' : 'failed',
      reason: data.reason ?? null,
      eventId: event.id,
      at: Date.parse(event.time),
    });
  },
};

import { and, desc, eq, lt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customerNotifications } from '../../db/schema/index.ts';
import type { EventHandler } from '../bus/consumer.ts';
import type { EventData } from '../events/catalog.ts';
import { decodeCursor, toPage } from '../http/pagination.ts';
import { toIso } from '../kernel/clock.ts';

/**
 * The customer side of notifications: folds `notification.sent|failed` into a
 * per-customer history, independent of the notifications worker's own tables.
 */
export const customerNotificationsHandler: EventHandler = {
  group: 'customer-notifications',
  types: ['notification.sent', 'notification.failed'],
  async handle(ctx, event) {
    const data = event.data as EventData<'notification.sent'> & { reason?: string };
    await ctx.tx
      .insert(customerNotifications)
      .values({
        notificationId: data.notification_id,
        customerId: data.customer_id,
        channel: data.channel,
        template: data.template,
        status: event.type === 'notification.sent' ? 'sent' : 'failed',
        reason: data.reason ?? null,
        eventId: event.id,
        at: Date.parse(event.time),
      })
      .onConflictDoNothing();
  },
};

/** A customer's notification history, newest first. */
export async function listCustomerNotifications(db: Executor, customerId: string, page: { limit: number; cursor?: string }) {
  const after = decodeCursor(page.cursor, 'string');
  const rows = await db
    .select()
    .from(customerNotifications)
    .where(and(eq(customerNotifications.customerId, customerId), after ? lt(customerNotifications.notificationId, after) : undefined))
    .orderBy(desc(customerNotifications.notificationId))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, (r) => r.notificationId, (r) => ({
    notification_id: r.notificationId,
    channel: r.channel,
    template: r.template,
    status: r.status,
    reason: r.reason,
    event_id: r.eventId,
    at: toIso(r.at),
  }));
}

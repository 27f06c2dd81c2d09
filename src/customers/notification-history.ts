import { customerNotifications } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';

/** One notification's outcome as the customer's history keeps it: from a `notification.sent|failed` event. */
export type NotificationOutcome = typeof customerNotifications.$inferInsert;

/** Adds a notification's outcome to its customer's history (GET /v1/customers/:id/notifications); once per notification. */
export async function recordNotificationOutcome(ctx: TxCtx, outcome: NotificationOutcome): Promise<void> {
  await ctx.tx.insert(customerNotifications).values(outcome).onConflictDoNothing();
}

import { notifications } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import type { Rendered } from './templates.ts';

/** A rendered message for a customer, and where it goes. */
export interface NotificationRequest {
  /** The event this message answers: one notification per event and channel, so a redelivery queues nothing twice. */
  eventId: string;
  customerId: string;
  /** The email address; the phone too when the message has a short SMS form. */
  to: { email: string | null; phone?: string | null | undefined };
  message: Rendered;
}

/**
 * Queues a message as pending notifications in the caller's transaction: one by email when
 * there is an address, one by SMS when there is a phone and the message has an SMS form.
 * The notifications worker's dispatcher sends them (src/notifications/dispatch.ts).
 */
export async function queueNotification(ctx: TxCtx, request: NotificationRequest): Promise<void> {
  const { message, to } = request;
  const now = ctx.clock.now();
  const rows = [];
  if (to.email) rows.push({ channel: 'email' as const, recipient: to.email, body: message.body });
  if (to.phone && message.sms) rows.push({ channel: 'sms' as const, recipient: to.phone, body: message.sms });
  for (const row of rows) {
    await ctx.tx
      .insert(notifications)
      .values({
        id: newId('ntf', now),
        eventId: request.eventId,
        customerId: request.customerId,
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
}

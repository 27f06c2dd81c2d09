import * as v from 'valibot';
import { notificationChannels } from '../../db/schema/index.ts';

const notificationOutcome = {
  notification_id: v.string(),
  customer_id: v.string(),
  channel: v.picklist(notificationChannels),
  template: v.string(),
  trigger_event_id: v.string(),
  attempts: v.number(),
};

/** A notification's outcome; subject: the customer. */
export const notificationEvents = {
  'notification.sent': v.object({ ...notificationOutcome }),
  'notification.failed': v.object({ ...notificationOutcome, reason: v.string() }),
} as const;

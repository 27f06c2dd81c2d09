import { sha256Hex } from '../../kernel/hash.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Channel } from './channel.ts';
import type { notificationChannels } from '../../../db/schema/index.ts';

/**
 * The default channel: logs that a message would have been sent, without delivering it. The line
 * is redacted: no address, subject or body (they name people, erased customers' included, and
 * carry one-time codes); the template, the notification id, the body's length and a short hash of
 * the address, so one recipient's messages can be told apart without naming them.
 */
export function createLogChannel(kind: (typeof notificationChannels)[number], logger: Logger): Channel {
  return {
    name: `log-${kind}`,
    async send(message) {
      const recipient = (await sha256Hex(message.to.trim().toLowerCase())).slice(0, 16);
      logger.info(`${kind} (log channel)`, { id: message.id, template: message.template ?? null, recipient_hash: recipient, body_chars: message.body.length, request_id: message.requestId ?? null });
    },
  };
}

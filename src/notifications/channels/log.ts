import type { Logger } from '../../kernel/logger.ts';
import { redactCodes } from '../templates.ts';
import type { Channel } from './channel.ts';

/** The default channel: writes the message to the log instead of delivering it, one-time codes masked (they never reach a log). */
export function createLogChannel(kind: 'email' | 'sms', logger: Logger): Channel {
  return {
    name: `log-${kind}`,
    async send(message) {
      logger.info(`${kind} (log channel)`, { id: message.id, to: message.to, subject: message.subject, body: redactCodes(message.body) });
    },
  };
}

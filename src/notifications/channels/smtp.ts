import { createTransport } from 'nodemailer';
import type { Channel } from './channel.ts';

/**
 * Email over SMTP through nodemailer. `url` is `smtp://user:pass@host:port`
 * (or `smtps://`). The notification id becomes the Message-ID, so a retried
 * send is recognisable as the same message downstream.
 */
export function createSmtpChannel(options: { url: string; from: string; domain?: string }): Channel {
  // Bounded well inside the dispatcher's lease, so a hung server fails the attempt instead of stalling the queue.
  const transport = createTransport({ url: options.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  const domain = options.domain ?? 'subscription-platform.local';
  return {
    name: 'smtp',
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.body,
        messageId: `<${message.id}@${domain}>`,
      });
    },
  };
}

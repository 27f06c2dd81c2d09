/** One message to one recipient. `id` is stable across retries so a receiver can drop duplicates. */
export interface Message {
  id: string;
  to: string;
  subject: string;
  body: string;
  /** The template the message was made from (`welcome` …): what a log may name instead of the body. */
  template?: string;
  /** The request whose events led to the message, for log lines about it. */
  requestId?: string | null;
}

/** A way to reach a person (email, SMS). `send` resolves when accepted and throws when not. */
export interface Channel {
  readonly name: string;
  send(message: Message): Promise<void>;
}

export interface Channels {
  email: Channel;
  sms: Channel;
}

import type { Database, Db } from '../db/client.ts';
import type { Bus } from './bus/bus.ts';
import type { TokenSettings } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { Clock } from './kernel/clock.ts';
import type { Logger } from './kernel/logger.ts';
import type { Transactor } from './kernel/transactor.ts';
import type { Channels } from './notifications/channels/channel.ts';
import type { PaymentProvider } from './payments/provider.ts';

/** Everything built once at an entry point and handed down; no module-level singletons. */
export interface Deps {
  config: Config;
  database: Database;
  db: Db;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  bus: Bus;
  tokens: TokenSettings;
  channels: Channels;
  /** Where invoices are charged: the sandbox by default (PAYMENT_PROVIDER). */
  payments: PaymentProvider;
  eventSource: string;
  /** Called after each commit; the relay in this process listens to publish without delay. */
  onCommit: Set<() => void>;
}

import { openDatabase } from '../db/client.ts';
import { applyMigrations } from '../db/migrate.ts';
import type { Bus } from './bus/bus.ts';
import { createEmbeddedBus } from './bus/embedded.ts';
import { createKafkaBus } from './bus/kafka.ts';
import { createKafkaRestBus } from './bus/kafka-rest.ts';
import { settingsFrom, type Config } from './config.ts';
import type { Deps } from './deps.ts';
import { systemClock, type Clock } from './kernel/clock.ts';
import { createLogger, type Logger } from './kernel/logger.ts';
import { createTransactor } from './kernel/transactor.ts';
import type { Channels } from './notifications/channels/channel.ts';
import { createLogChannel } from './notifications/channels/log.ts';
import { createSmtpChannel } from './notifications/channels/smtp.ts';
import type { PaymentProvider } from './payments/provider.ts';
import { createSandboxProvider } from './payments/sandbox.ts';

export interface BuildOptions {
  /** The JWT signing secret, already resolved (from the environment or the data folder). */
  jwtSecret: string;
  clock?: Clock;
  logger?: Logger;
  /** Replace the configured channels (tests inject a failing channel). */
  channels?: Channels;
  /** Replace the configured payment provider (tests wrap the sandbox). */
  payments?: PaymentProvider;
  /** Sees the SQL of every query (the query-plan test). */
  onQuery?: (sql: string) => void;
}

function buildChannels(config: Config, logger: Logger): Channels {
  return {
    email:
      config.email.channel === 'smtp'
        ? createSmtpChannel({ url: config.email.smtpUrl!, from: config.email.from })
        : createLogChannel('email', logger),
    sms: createLogChannel('sms', logger),
  };
}

function buildBus(config: Config, deps: { db: Deps['db']; transactor: Deps['transactor']; clock: Clock; logger: Logger }): Bus {
  switch (config.bus) {
    case 'embedded':
      return createEmbeddedBus({ ...deps, pollMs: config.pollMs });
    case 'kafka':
      return createKafkaBus({ ...deps, ...config.kafka, retryMs: 1_000 });
    case 'kafka-rest':
      return createKafkaRestBus(config.kafkaRest);
  }
}

/** Opens the database, applies migrations and wires every dependency once. */
export async function buildDeps(config: Config, options: BuildOptions): Promise<Deps> {
  const logger = options.logger ?? createLogger({ silent: config.logSilent });
  const clock = options.clock ?? systemClock;
  const database = await openDatabase(config.databaseUrl, { authToken: config.databaseAuthToken, synchronous: config.databaseSynchronous, onQuery: options.onQuery });
  await applyMigrations(database);
  const onCommit = new Set<() => void>();
  const transactor = createTransactor(database, {
    maxBatch: config.groupCommitMax,
    onCommit: () => {
      for (const listener of onCommit) listener();
    },
  });
  return {
    config,
    database,
    db: database.db,
    transactor,
    clock,
    logger,
    bus: buildBus(config, { db: database.db, transactor, clock, logger }),
    tokens: { secret: options.jwtSecret, issuer: config.jwt.issuer, audience: config.jwt.audience, ttlSeconds: config.jwt.ttlSeconds },
    channels: options.channels ?? buildChannels(config, logger),
    payments: options.payments ?? createSandboxProvider(),
    eventSource: 'urn:subscription-platform',
    settings: settingsFrom(config),
    onCommit,
  };
}

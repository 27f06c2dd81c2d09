import type { Database } from '../db/client.ts';
import { createLastUsedTracker } from './api-keys/last-used.ts';
import type { Bus } from './bus/bus.ts';
import { createEmbeddedBus } from './bus/embedded.ts';
import { createKafkaRestBus } from './bus/kafka-rest.ts';
import { settingsFrom, type Config } from './config.ts';
import type { Deps } from './deps.ts';
import { systemClock, type Clock } from './kernel/clock.ts';
import { createLogger, type Logger } from './kernel/logger.ts';
import { noopMetrics, type Metrics } from './kernel/metrics.ts';
import { createTransactor, type Transactor } from './kernel/transactor.ts';
import type { Channels } from './notifications/channels/channel.ts';
import { createLogChannel } from './notifications/channels/log.ts';
import { createEmbeddedRateLimiter } from './limits/embedded.ts';
import type { PaymentProvider } from './payments/provider.ts';
import { createSandboxProvider } from './payments/sandbox.ts';
import { databaseSandboxStore } from './payments/sandbox-store.ts';
import type { AssetSource } from './http/asset-files.ts';
import type { InvoiceRenderer } from './invoice-documents/renderer.ts';
import { fetchTransport } from './webhooks/transport-fetch.ts';
import type { WebhookTransport } from './webhooks/transport.ts';

/** What a bus adapter is built from: the database it may keep its log in, and the process's writer. */
export interface BusParts {
  db: Deps['db'];
  /** Bound parameters a statement may carry on this database. */
  maxParameters: number;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
}

export interface ComposeOptions {
  /** The open, migrated database (a local file, remote libSQL, a Durable Object's storage). */
  database: Database;
  /** The JWT signing secret, already resolved (from the environment or the data folder). */
  jwtSecret: string;
  /** Builds the bus; the runtime-neutral ones (embedded, Kafka REST) by default. */
  bus?: (config: Config, parts: BusParts) => Bus;
  clock?: Clock;
  logger?: Logger;
  /** Where counters go; the no-op adapter by default (server entries pass the Prometheus one). */
  metrics?: Metrics;
  /** The notification channels; the log channel for email and SMS by default. */
  channels?: Channels;
  /** Where invoices are charged: the sandbox by default (PAYMENT_PROVIDER). */
  payments?: PaymentProvider;
  /** Where `/assets/*` files come from (the server entries read `node_modules`). */
  assets?: AssetSource;
  /** Renders invoice documents; server entries pass the PDF one (pdfkit reads font files). */
  invoiceRenderer?: InvoiceRenderer;
  /** How webhooks are sent; the runtime's fetch by default (Workers), node:http(s) with checked addresses on servers. */
  webhookTransport?: WebhookTransport;
  /** Group commit size: the configured one by default. */
  maxBatch?: number;
}

/** The buses every runtime can run: the embedded log and Kafka over HTTP. `BUS=kafka` needs TCP (a server entry). */
export function portableBus(config: Config, parts: BusParts): Bus {
  switch (config.bus) {
    case 'embedded':
      return createEmbeddedBus({ ...parts, pollMs: config.pollMs });
    case 'kafka-rest':
      return createKafkaRestBus(config.kafkaRest);
    case 'kafka':
      throw new Error('BUS=kafka needs TCP sockets: use BUS=kafka-rest on this runtime');
  }
}

/**
 * Wires every dependency once over an open database. Runtime-neutral: it imports
 * no file system, native driver, Kafka client or SMTP; each entry (Bun, Node, Deno,
 * Workers) passes what its runtime has.
 */
export function composeDeps(config: Config, options: ComposeOptions): Deps {
  const logger = options.logger ?? createLogger({ silent: config.logSilent, level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const { database } = options;
  const onCommit = new Set<() => void>();
  const transactor = createTransactor(database, {
    maxBatch: options.maxBatch ?? config.groupCommitMax,
    onCommit: () => {
      for (const listener of onCommit) listener();
    },
  });
  const buildBus = options.bus ?? portableBus;
  return {
    config,
    database,
    db: database.db,
    transactor,
    clock,
    logger,
    metrics: options.metrics ?? noopMetrics,
    metricsToken: config.metricsToken,
    bus: buildBus(config, { db: database.db, maxParameters: database.maxParameters, transactor, clock, logger }),
    tokens: { secret: options.jwtSecret, issuer: config.jwt.issuer, audience: config.jwt.audience, ttlSeconds: config.jwt.ttlSeconds },
    channels: options.channels ?? { email: createLogChannel('email', logger), sms: createLogChannel('sms', logger) },
    // The sandbox keeps its answers in the database: references and idempotency keys outlive a restart.
    payments: options.payments ?? createSandboxProvider(databaseSandboxStore({ db: database.db, transactor, clock })),
    webhookTransport: options.webhookTransport ?? fetchTransport(),
    rateLimiter: createEmbeddedRateLimiter({ transactor, clock, windowMs: 60_000 }),
    apiKeyUsage: createLastUsedTracker(),
    eventSource: 'urn:subscription-platform',
    settings: settingsFrom(config),
    assets: options.assets,
    invoiceRenderer: options.invoiceRenderer,
    onCommit,
  };
}

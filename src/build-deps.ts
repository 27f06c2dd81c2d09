import { openDatabase } from '../db/client.ts';
import { applyMigrations } from '../db/migrate.ts';
import type { Bus } from './bus/bus.ts';
import { createKafkaBus } from './bus/kafka.ts';
import { composeDeps, portableBus, type BusParts } from './compose.ts';
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { fileAssets } from './entries/assets-fs.ts';
import { renderInvoicePdf } from './invoice-documents/pdfkit.ts';
import type { Clock } from './kernel/clock.ts';
import type { Metrics } from './kernel/metrics.ts';
import { createPrometheusMetrics } from './metrics/prometheus.ts';
import { createLogger, type Logger, type LogLevel } from './kernel/logger.ts';
import { prettyLogLine } from './kernel/pretty-log.ts';
import type { Channels } from './notifications/channels/channel.ts';
import { createLogChannel } from './notifications/channels/log.ts';
import { createSmtpChannel } from './notifications/channels/smtp.ts';
import type { PaymentProvider } from './payments/provider.ts';
import type { InvoiceRenderer } from './invoice-documents/renderer.ts';
import { nodeTransport } from './webhooks/transport-node.ts';
import type { WebhookTransport } from './webhooks/transport.ts';

export interface BuildOptions {
  /** The JWT signing secret, already resolved (from the environment or the data folder). */
  jwtSecret: string;
  clock?: Clock;
  logger?: Logger;
  /** Replace the Prometheus metrics (each platform gets its own registry by default). */
  metrics?: Metrics;
  /** Replace the configured channels (tests inject a failing channel). */
  channels?: Channels;
  /** Replace the configured payment provider (tests wrap the sandbox). */
  payments?: PaymentProvider;
  /** Replace the PDF renderer of invoice documents. */
  invoiceRenderer?: InvoiceRenderer;
  /** Replace the webhook transport (tests give the resolver the answers they need). */
  webhookTransport?: WebhookTransport;
  /** Sees the SQL of every query (the query-plan test). */
  onQuery?: (sql: string) => void;
}

function serverChannels(config: Config, logger: Logger): Channels {
  return {
    email:
      config.email.channel === 'smtp'
        ? createSmtpChannel({ url: config.email.smtpUrl!, from: config.email.from })
        : createLogChannel('email', logger),
    sms: createLogChannel('sms', logger),
  };
}

/** JSON lines as they are, or made readable (LOG_FORMAT=pretty, or auto on a terminal). */
function serverLogWriter(config: Config): ((level: LogLevel, line: string) => void) | undefined {
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true);
  if (!pretty) return undefined;
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  return (level, line) => (level === 'debug' || level === 'info' ? console.log(prettyLogLine(line, color)) : console.error(prettyLogLine(line, color)));
}

/** Every bus, the native Kafka client included: servers have TCP sockets. */
function serverBus(config: Config, parts: BusParts): Bus {
  if (config.bus === 'kafka') return createKafkaBus({ ...parts, ...config.kafka, retryMs: 1_000 });
  return portableBus(config, parts);
}

/**
 * Server runtimes (Bun, Node, Deno): opens the configured database (a local file on
 * libSQL's synchronous driver, or remote libSQL), applies the migrations from their
 * files and wires every dependency, SMTP and the native Kafka client included.
 */
export async function buildDeps(config: Config, options: BuildOptions): Promise<Deps> {
  const logger = options.logger ?? createLogger({ silent: config.logSilent, level: config.logLevel, write: serverLogWriter(config) });
  const database = await openDatabase(config.databaseUrl, { authToken: config.databaseAuthToken, synchronous: config.databaseSynchronous, onQuery: options.onQuery });
  await applyMigrations(database);
  return composeDeps(config, {
    database,
    jwtSecret: options.jwtSecret,
    bus: serverBus,
    clock: options.clock,
    logger,
    metrics: options.metrics ?? createPrometheusMetrics(),
    channels: options.channels ?? serverChannels(config, logger),
    payments: options.payments,
    assets: fileAssets(),
    invoiceRenderer: options.invoiceRenderer ?? renderInvoicePdf,
    webhookTransport: options.webhookTransport ?? nodeTransport(),
  });
}

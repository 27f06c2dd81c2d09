import type { Database } from '../db/client.ts';
import type { LastUsedTracker } from './api-keys/last-used.ts';
import type { Bus } from './bus/bus.ts';
import type { TokenSettings } from './auth/tokens.ts';
import type { Config } from './config.ts';
import type { ContextServices } from './kernel/context.ts';
import type { Channels } from './notifications/channels/channel.ts';
import type { RateLimiter } from './limits/rate-limiter.ts';
import type { PaymentProvider } from './payments/provider.ts';
import type { AssetSource } from './http/asset-files.ts';
import type { InvoiceRenderer } from './invoice-documents/renderer.ts';
import type { WebhookTransport } from './webhooks/transport.ts';

/**
 * Everything built once at an entry point (`buildDeps`) and handed down; no
 * module-level singletons. A context for an actor is made from it with
 * `createContext(deps, actor)`; it carries the settings (`deps.settings`).
 */
export interface Deps extends ContextServices {
  config: Config;
  database: Database;
  bus: Bus;
  tokens: TokenSettings;
  channels: Channels;
  /** Where invoices are charged: the sandbox by default (PAYMENT_PROVIDER). */
  payments: PaymentProvider;
  /** How webhooks are sent: node:http(s) with the resolved address checked on servers, the platform's fetch on Workers. */
  webhookTransport: WebhookTransport;
  /** Counts requests for the rate limits; per process, over counters in the database. */
  rateLimiter: RateLimiter;
  /** When each API key's last use was last written, in this process (at most once a minute per key). */
  apiKeyUsage: LastUsedTracker;
  /** Where `/assets/*` files come from; absent where the platform serves them (Workers). */
  assets?: AssetSource | undefined;
  /** Renders invoice documents (PDF); only server entries have one, so the `invoice-documents` worker runs there only. */
  invoiceRenderer?: InvoiceRenderer | undefined;
  /** A scraper's static bearer token for GET /metrics (METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** Called after each commit; the relay in this process listens to publish without delay. */
  onCommit: Set<() => void>;
}

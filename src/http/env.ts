import type { Database } from '../../db/client.ts';
import type { LastUsedTracker } from '../api-keys/last-used.ts';
import type { TokenClaims, TokenSettings } from '../auth/tokens.ts';
import type { Bus } from '../bus/bus.ts';
import type { ContextServices, Ctx } from '../kernel/context.ts';
import type { RecoveryPoint } from '../kernel/resumable.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import type { AssetSource } from './asset-files.ts';
import type { InvoiceRenderer } from '../invoice-documents/renderer.ts';

/**
 * What routes and middleware use of the dependencies the entry point built (its
 * `Deps` has more): the services a context is made from, and the ports routes call.
 */
export interface HttpDeps extends ContextServices {
  bus: Bus;
  tokens: TokenSettings;
  payments: PaymentProvider;
  /** Counts requests for the rate limits (`src/http/rate-limit.ts`); one per process. */
  rateLimiter: RateLimiter;
  /** When each API key's last use was last written, in this process. */
  apiKeyUsage: LastUsedTracker;
  /** A scraper's static bearer token for GET /metrics (METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** Where `/assets/*` files come from; absent where the platform serves them (Workers). */
  assets?: AssetSource | undefined;
  /** Renders invoice documents; absent where no document is ever made (Workers): the PDF route then says so. */
  invoiceRenderer?: InvoiceRenderer | undefined;
  /** The open database, for readiness: the space left under a local file. */
  database?: Pick<Database, 'freeBytes'>;
}

/** An Idempotency-Key claimed by this request. */
export interface IdempotencyClaim {
  principal: string;
  key: string;
  /** Who holds the claim: this request; a retry that takes the key over writes its own. */
  owner: string;
  /** Set once the response was stored with the command's own transaction. */
  stored: boolean;
  /**
   * Where a multi-step write under this key stands (src/http/saga.ts): set when its first
   * transaction committed, or taken over from a request that died after it.
   */
  recoveryPoint: RecoveryPoint | null;
}

/** The typed Hono environment every route shares. */
export interface AppEnv {
  /** What the entry point knows about the connection; `app.request()` in tests passes it as the third argument. */
  Bindings: {
    /** The peer's IP address as the runtime saw it (Bun's `server.requestIP`); absent when unknown. */
    peerAddress?: string;
  };
  Variables: {
    deps: HttpDeps;
    requestId: string;
    /** The verb context for this request (actor, request id, clock, db). */
    ctx: Ctx;
    idempotency?: IdempotencyClaim;
    /** The verified bearer token, set when a route that is not public authenticates the caller. */
    token?: TokenClaims;
    /** The dashboard session's CSRF token, for its forms (src/admin/session.ts). */
    csrf?: string;
  };
}

import type { Db, Tx } from '../../db/client.ts';
import type { operatorRoles } from '../../db/schema/operators.ts';
import type { Clock } from './clock.ts';
import { withLogFields, type Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { Settings } from './settings.ts';
import type { Transactor } from './transactor.ts';

/**
 * Who is acting: an operator through the API, a named system component, a program
 * with an API key, or (later) a customer's user. Keys and users with a `customerId`
 * are tenants: they see and change that customer alone.
 */
export interface Actor {
  id: string;
  kind: 'operator' | 'system' | 'api_key' | 'user';
  /** An operator's role; `none` for keys, whose scopes say what they may do. */
  role: (typeof operatorRoles)[number] | 'system' | 'none';
  /** The customer a tenant principal acts for; absent for operators, system and platform-wide keys. */
  customerId?: string;
  /** What an API key may do (`usage:write` …). */
  scopes?: readonly string[];
}

/** The customer a principal is confined to, or undefined when it is not a tenant. */
export const tenantOf = (actor: Actor): string | undefined => actor.customerId;

/** What a context is made from: built once per process at its entry point (`buildDeps`). */
export interface ContextServices {
  db: Db;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  /** Counters and histograms for Prometheus; the no-op adapter unless the entry built one. */
  metrics: Metrics;
  /** CloudEvents `source` for events this process emits. */
  eventSource: string;
  settings: Settings;
}

/** What every verb receives: its dependencies, its settings and who is asking. Never Hono's context. */
export interface Ctx extends ContextServices {
  actor: Actor;
  requestId?: string;
  /** The caller's W3C `traceparent`, carried into the events this context emits. */
  traceparent?: string;
  /** Set while running inside a write transaction. */
  tx?: Tx;
}

/** A context whose verbs run inside one write transaction. */
export type TxCtx = Ctx & { tx: Tx };

/**
 * Runs `fn` in a write transaction, reusing the caller's when there is one, so
 * a verb composes into a larger unit (an HTTP request with its idempotency
 * record, a consumer with its inbox row) without nesting commits.
 */
export function withTransaction<T>(ctx: Ctx, fn: (ctx: TxCtx) => Promise<T>): Promise<T> {
  if (ctx.tx) return fn(ctx as TxCtx);
  return ctx.transactor.write((tx) => fn({ ...ctx, tx }));
}

/** What ties a context to the request (or event) it serves. */
export interface ContextOptions {
  requestId?: string | undefined;
  traceparent?: string | undefined;
  /** Fields every log line of this context's logger carries (a consumer's request and event ids). */
  logFields?: Record<string, unknown>;
}

/**
 * The one way to make a context: for an actor (an operator, or a system component),
 * over the process's services, optionally tied to a request (or event) id. Only the
 * context's own fields are taken, so a larger bag of dependencies can be passed as is.
 */
export function createContext(services: ContextServices, actor: Actor, options: ContextOptions = {}): Ctx {
  const { db, transactor, clock, metrics, eventSource, settings } = services;
  const logger = options.logFields ? withLogFields(services.logger, options.logFields) : services.logger;
  const ctx: Ctx = { db, transactor, clock, logger, metrics, eventSource, settings, actor };
  if (options.requestId !== undefined) ctx.requestId = options.requestId;
  if (options.traceparent !== undefined) ctx.traceparent = options.traceparent;
  return ctx;
}

/** Who a request is before it authenticates (and on public routes): no principal of its own. */
export const anonymousActor: Actor = { id: 'anonymous', kind: 'operator', role: 'viewer' };

/** The actor used by workers and start-up tasks. */
export const systemActor = (component: string): Actor => ({ id: `system:${component}`, kind: 'system', role: 'system' });

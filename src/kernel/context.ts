import type { Db, Tx } from '../../db/client.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { Settings } from './settings.ts';
import type { Transactor } from './transactor.ts';

/** Who is acting: an operator through the API, or a named system component. */
export interface Actor {
  id: string;
  kind: 'operator' | 'system';
  role: 'admin' | 'operator' | 'viewer' | 'system';
}

/** What a context is made from: built once per process at its entry point (`buildDeps`). */
export interface ContextServices {
  db: Db;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  /** CloudEvents `source` for events this process emits. */
  eventSource: string;
  settings: Settings;
}

/** What every verb receives: its dependencies, its settings and who is asking. Never Hono's context. */
export interface Ctx extends ContextServices {
  actor: Actor;
  requestId?: string;
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

/**
 * The one way to make a context: for an actor (an operator, or a system component),
 * over the process's services, optionally tied to a request (or event) id. Only the
 * context's own fields are taken, so a larger bag of dependencies can be passed as is.
 */
export function createContext(services: ContextServices, actor: Actor, options: { requestId?: string | undefined } = {}): Ctx {
  const { db, transactor, clock, logger, eventSource, settings } = services;
  const ctx: Ctx = { db, transactor, clock, logger, eventSource, settings, actor };
  if (options.requestId !== undefined) ctx.requestId = options.requestId;
  return ctx;
}

/** Who a request is before it authenticates (and on public routes): no principal of its own. */
export const anonymousActor: Actor = { id: 'anonymous', kind: 'operator', role: 'viewer' };

/** The actor used by workers and start-up tasks. */
export const systemActor = (component: string): Actor => ({ id: `system:${component}`, kind: 'system', role: 'system' });

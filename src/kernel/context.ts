import type { Db, Tx } from '../../db/client.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { Transactor } from './transactor.ts';

/** Who is acting: an operator through the API, or a named system component. */
export interface Actor {
  id: string;
  kind: 'operator' | 'system';
  role: 'admin' | 'operator' | 'viewer' | 'system';
}

/** What every verb receives: its dependencies and who is asking. Never Hono's context. */
export interface Ctx {
  db: Db;
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  actor: Actor;
  requestId?: string;
  /** CloudEvents `source` for events this process emits. */
  eventSource: string;
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

/** The actor used by workers and start-up tasks. */
export const systemActor = (component: string): Actor => ({ id: `system:${component}`, kind: 'system', role: 'system' });

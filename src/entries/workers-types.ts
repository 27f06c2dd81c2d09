/**
 * The few Cloudflare Workers APIs the Workers entry uses, typed by hand: enough for
 * `tsc` and `deno check` without `@cloudflare/workers-types` (which would replace the
 * DOM and Bun globals every other file is checked with).
 */

import type { DurableObjectSql } from '../../db/durable-object.ts';

/** A Durable Object's storage (`ctx.storage`): SQL and transactions (see db/durable-object.ts) and the alarm. */
export interface DurableObjectStorage extends DurableObjectSql {
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
}

/** What a Durable Object's constructor receives as its first argument. */
export interface DurableObjectState {
  storage: DurableObjectStorage;
  /** Holds every event back until `fn` settles (used for start-up work). */
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}

/** A handle on one Durable Object. */
export interface DurableObjectStub {
  fetch(request: Request): Promise<Response>;
}

/** A Durable Object binding (`env.PLATFORM`). */
export interface DurableObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): DurableObjectStub;
}

/** The context of a Worker's event (`waitUntil` keeps it alive for background work). */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** A cron trigger's event. */
export interface ScheduledController {
  scheduledTime: number;
  cron: string;
}

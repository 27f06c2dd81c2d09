import { describeError } from '../kernel/errors.ts';
import { storageFaultOf } from '../../db/storage-fault.ts';
import { and, eq } from 'drizzle-orm';
import { inbox } from '../../db/schema/index.ts';
import { parseEvent, type EventType, type KnownEvent } from '../events/catalog.ts';
import { createContext, systemActor, withTransaction, type ContextServices, type TxCtx } from '../kernel/context.ts';
import type { Bus, DeliveryHandler, Subscription } from './bus.ts';

/** A consumer: a group name, the event types it wants, and what it does with each. */
export interface EventHandler {
  group: string;
  types: readonly EventType[];
  /** Applies the event's effects through `ctx.tx`; runs in the same transaction as the inbox row. */
  handle(ctx: TxCtx, event: KnownEvent): Promise<void>;
  /**
   * A read, before any transaction, saying whether the event can concern this group at all; when
   * false it is passed over with no transaction and no inbox row. For groups that see every event
   * but act on few, and whose effects are idempotent without the inbox (webhooks).
   */
  relevant?(db: ConsumerDeps['db'], event: KnownEvent): Promise<boolean>;
}

export interface ConsumerOptions {
  /** Attempts before an event that keeps failing is dead-lettered. */
  attempts?: number;
  /** First backoff; doubles each attempt. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Thrown by a handler when the event itself can never be applied (it breaks a rule,
 * or contradicts what is stored): retrying cannot help, so it is dead-lettered at
 * once with this message as the reason, and the group carries on.
 */
export class UnprocessableEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableEvent';
  }
}

/** Dependencies a consumer needs: what its verbs' context is made from, and the bus. */
export type ConsumerDeps = ContextServices & { bus: Bus };

/**
 * Handles one delivered event effectively once: validates it (dead-letters an
 * invalid one), skips it if this group's inbox has it, otherwise applies the
 * handler and records the inbox row in one transaction. A handler's
 * `UnprocessableEvent` dead-letters the event (its effects roll back).
 * Returns 'handled', 'duplicate', 'dead_lettered', 'passed_over' (not `relevant`) or throws the handler's error.
 */
export async function consumeOnce(deps: ConsumerDeps, handler: EventHandler, raw: unknown): Promise<'handled' | 'duplicate' | 'dead_lettered' | 'passed_over'> {
  const parsed = parseEvent(raw);
  if (!parsed.ok) {
    await deps.bus.deadLetter(handler.group, raw, parsed.reason);
    deps.logger.warn('event dead-lettered', { ...eventLogFields(handler.group, raw), reason: parsed.reason });
    return 'dead_lettered';
  }
  const { event } = parsed;
  if (handler.relevant && !(await handler.relevant(deps.db, event))) return 'passed_over';
  // The handler's context continues the request that caused the event: its id (or, for an event no
  // request caused, the event's) goes into the audit, the events it emits and every line it logs.
  const ctx = createContext(deps, systemActor(handler.group), {
    requestId: event.requestid ?? event.id,
    traceparent: event.traceparent,
    logFields: eventLogFields(handler.group, event),
  });
  try {
    return await withTransaction(ctx, async (tx) => {
      const seen = await tx.tx
        .select({ id: inbox.eventId })
        .from(inbox)
        .where(and(eq(inbox.consumer, handler.group), eq(inbox.eventId, event.id)));
      if (seen.length > 0) return 'duplicate' as const;
      await handler.handle(tx, event);
      await tx.tx.insert(inbox).values({ consumer: handler.group, eventId: event.id, handledAt: tx.clock.now() });
      return 'handled' as const;
    }).then((outcome) => {
      if (outcome === 'handled') deps.metrics.eventConsumed(handler.group, event.type);
      return outcome;
    });
  } catch (error) {
    if (!(error instanceof UnprocessableEvent)) throw error;
    await deps.bus.deadLetter(handler.group, raw, error.message);
    ctx.logger.warn('event dead-lettered', { reason: error.message });
    return 'dead_lettered';
  }
}

/**
 * What the bus calls with each delivered event of a handler's group: `consumeOnce`, with a
 * failing event retried with exponential backoff, then dead-lettered with the last error so
 * the group carries on. A database failure is thrown back to the bus, which delivers again.
 */
export function deliveryHandler(deps: ConsumerDeps, handler: EventHandler, options: ConsumerOptions = {}): DeliveryHandler {
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async function deliver(raw) {
    for (let attempt = 1; ; attempt++) {
      try {
        await consumeOnce(deps, handler, raw);
        return;
      } catch (error) {
        // The database itself failing is not the event's fault: hand it back to the bus to retry
        // later without moving on, so an outage never dead-letters (and so loses) an effect.
        if (isInfrastructureError(error)) throw error;
        if (attempt >= attempts) {
          await deps.bus.deadLetter(handler.group, raw, `failed ${attempts} times: ${describeError(error)}`);
          deps.logger.error('event dead-lettered after retries', { ...eventLogFields(handler.group, raw), error: describeError(error) });
          return;
        }
        deps.logger.warn('event handling failed; retrying', { ...eventLogFields(handler.group, raw), attempt, error: describeError(error) });
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
  };
}

/**
 * What a worker's log line about an event says about where it came from: the group, the event,
 * the request that caused it (its `requestid` extension, else the event's own id) and the trace.
 * Read from the raw envelope too, so a line about an event that failed validation still has them.
 */
export function eventLogFields(group: string, raw: unknown): Record<string, unknown> {
  const envelope = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const text = (name: string) => (typeof envelope[name] === 'string' ? (envelope[name] as string) : undefined);
  const eventId = text('id');
  const fields: Record<string, unknown> = { group, event_id: eventId ?? null, event_type: text('type') ?? null, request_id: text('requestid') ?? eventId ?? null };
  const traceId = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(text('traceparent') ?? '')?.[1];
  if (traceId) fields.trace_id = traceId;
  return fields;
}

/** Subscribes a handler to the bus; each delivery goes through `deliveryHandler`. */
export function startConsumer(deps: ConsumerDeps, handler: EventHandler, options: ConsumerOptions = {}): Subscription {
  return deps.bus.subscribe({ group: handler.group, types: handler.types, handle: deliveryHandler(deps, handler, options) });
}

/**
 * True for errors of the database driver (unreachable, locked, disk full, read-only, I/O), as
 * opposed to the handler's own: the event is not at fault, so it is never dead-lettered or
 * passed over for them; the group waits and delivers the same event again.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (storageFaultOf(error)) return true;
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if ((e as Error).name === 'LibsqlError' || (typeof code === 'string' && code.startsWith('SQLITE_'))) {
      return !(typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
    }
  }
  return false;
}

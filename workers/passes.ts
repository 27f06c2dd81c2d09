import { deliveryHandler } from '../src/bus/consumer.ts';
import { openGroupCursor, type GroupCursor } from '../src/bus/embedded.ts';
import { relayOnce } from '../src/bus/relay.ts';
import { runBillingCycle } from '../src/billing/cycle.ts';
import type { Deps } from '../src/deps.ts';
import { purgeExpiredIdempotencyKeys } from '../src/idempotency/purge.ts';
import { createContext, systemActor } from '../src/kernel/context.ts';
import { describeError } from '../src/kernel/errors.ts';
import { dispatchDue } from '../src/notifications/dispatch.ts';
import { deliverDue } from '../src/webhooks/deliver.ts';
import { consumerHandlers, type ConsumerWorker } from './registry.ts';

/** What one round of passes did: `work` counts what moved (0: nothing was due), `failed` names the passes that threw. */
export interface PassReport {
  work: number;
  failed: string[];
}

/** The workers' work as passes run one after another on request (a Durable Object's alarm), instead of loops. */
export interface Passes {
  /** The consumer groups these passes run (none unless the bus is the embedded log in this database). */
  readonly consumers: readonly ConsumerWorker[];
  /** Runs each pass once: the relay until the outbox is drained, one batch per consumer group, notification dispatch, webhook delivery, billing and purge when due. */
  runOnce(): Promise<PassReport>;
}

/** How often expired Idempotency-Keys are deleted (as on servers). */
const IDEMPOTENCY_PURGE_MS = 3_600_000;

/**
 * The workers of `workers/registry.ts` as passes for runtimes without long-running loops
 * (Workers): the relay, each embedded consumer group, the notification dispatcher, the
 * webhook sender, billing
 * every BILLING_POLL_MS and the idempotency purge hourly. A failing pass is logged and the
 * others still run; what it left is found again by the next round, as the loops would.
 * On any other bus they run where that bus is consumed (never on the Workers entry: docs/edge.md).
 */
export function createPasses(deps: Deps): Passes {
  const handlers = consumerHandlers(deps);
  const consumers = deps.bus.name === 'embedded' ? (Object.keys(handlers) as ConsumerWorker[]) : [];
  const cursors = new Map<ConsumerWorker, GroupCursor>(
    consumers.map((name) => [name, openGroupCursor(deps, { group: handlers[name].group, types: handlers[name].types, handle: deliveryHandler(deps, handlers[name]) })]),
  );
  let billingDueAt = 0;
  let purgeDueAt = 0;

  async function relayAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await relayOnce({ db: deps.db, transactor: deps.transactor, bus: deps.bus, clock: deps.clock, logger: deps.logger, metrics: deps.metrics, leaseMs: deps.config.relay.leaseMs, maxParameters: deps.database.maxParameters });
      if (published === 0) return total;
      total += published;
    }
  }

  async function billIfDue(): Promise<number> {
    const now = deps.clock.now();
    if (now < billingDueAt) return 0;
    billingDueAt = now + deps.config.billing.pollMs;
    const report = await runBillingCycle(deps);
    const moved = report.advanced + report.finalized + report.attempted + report.resumed;
    if (moved > 0) deps.logger.info('billing pass', { ...report });
    return moved;
  }

  async function purgeIfDue(): Promise<number> {
    const now = deps.clock.now();
    if (now < purgeDueAt) return 0;
    purgeDueAt = now + IDEMPOTENCY_PURGE_MS;
    const purged = await purgeExpiredIdempotencyKeys(deps);
    if (purged > 0) deps.logger.info('idempotency keys purged', { purged });
    return purged;
  }

  const passes: [string, () => Promise<number>][] = [
    ['relay', relayAll],
    ...[...cursors].map(([name, cursor]) => [name, () => cursor.consumeBatch()] as [string, () => Promise<number>]),
    ['notification dispatch', () => dispatchDue(createContext(deps, systemActor('notifications')), { channels: deps.channels, ...deps.settings.notify })],
    ['webhook delivery', () => deliverDue(createContext(deps, systemActor('webhooks')), deps.webhookTransport)],
    ['billing', billIfDue],
    ['idempotency purge', purgeIfDue],
  ];

  return {
    consumers,
    async runOnce() {
      const report: PassReport = { work: 0, failed: [] };
      for (const [name, pass] of passes) {
        try {
          report.work += await pass();
        } catch (error) {
          report.failed.push(name);
          deps.logger.error(`${name} pass failed; the next round retries`, { error: describeError(error) });
        }
      }
      return report;
    },
  };
}

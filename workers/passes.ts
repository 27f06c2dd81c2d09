import { deliveryHandler } from '../src/bus/consumer.ts';
import { openGroupCursor } from '../src/bus/embedded.ts';
import { relayOnce } from '../src/bus/relay.ts';
import type { Deps } from '../src/deps.ts';
import { describeError } from '../src/kernel/errors.ts';
import { passWorkers, type ConsumerWorker } from './registry.ts';

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

/**
 * The workers of the table in `workers/registry.ts` as passes for runtimes without long-running
 * loops (Workers), in this order: the relay, each embedded consumer group, the senders
 * (notification dispatch, webhook delivery), then the periodic workers when due (billing every
 * BILLING_POLL_MS, the idempotency purge hourly). A failing pass is logged and the
 * others still run; what it left is found again by the next round, as the loops would.
 * On any other bus they run where that bus is consumed (never on the Workers entry: docs/edge.md).
 */
export function createPasses(deps: Deps): Passes {
  const groups = deps.bus.name === 'embedded' ? passWorkers.consumers : [];
  const cursors = groups.flatMap((worker) => {
    const handler = worker.handler(deps);
    return handler ? [{ name: worker.name, cursor: openGroupCursor(deps, { group: handler.group, types: handler.types, handle: deliveryHandler(deps, handler) }) }] : [];
  });

  async function relayAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await relayOnce({ db: deps.db, transactor: deps.transactor, bus: deps.bus, clock: deps.clock, logger: deps.logger, metrics: deps.metrics, leaseMs: deps.config.relay.leaseMs, maxParameters: deps.database.maxParameters });
      if (published === 0) return total;
      total += published;
    }
  }

  /** A periodic worker's pass, run when it is due: at the first round, then `everyMs` after it last ran. */
  function whenDue(worker: (typeof passWorkers.periodic)[number]): () => Promise<number> {
    const everyMs = worker.everyMs(deps);
    let dueAt = 0;
    return async () => {
      const now = deps.clock.now();
      if (now < dueAt) return 0;
      dueAt = now + everyMs;
      return worker.run(deps);
    };
  }

  const passes: [string, () => Promise<number>][] = [
    ...passWorkers.relays.map((w): [string, () => Promise<number>] => [w.name, relayAll]),
    ...cursors.map(({ name, cursor }): [string, () => Promise<number>] => [name, () => cursor.consumeBatch()]),
    ...passWorkers.senders.map((s): [string, () => Promise<number>] => [s.what, () => s.send(deps)]),
    ...passWorkers.periodic.map((w): [string, () => Promise<number>] => [w.what, whenDue(w)]),
  ];

  return {
    consumers: cursors.map(({ name }) => name),
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

import { describeError } from '../src/kernel/errors.ts';
import { createWaker } from '../src/bus/waker.ts';
import { startConsumer, type ConsumerDeps, type EventHandler } from '../src/bus/consumer.ts';
import { startRelay } from '../src/bus/relay.ts';
import { customerNotificationsHandler } from '../src/customers/consumer.ts';
import type { Deps } from '../src/deps.ts';
import { dispatchDue } from '../src/notifications/dispatch.ts';
import { purgeExpiredIdempotencyKeys } from '../src/http/idempotency-purge.ts';
import { notificationsHandler } from '../src/notifications/consumer.ts';
import { createProfilingHandler } from '../src/profiling/consumer.ts';
import { runBillingCycle } from '../src/billing/cycle.ts';
import { usageIngestHandler } from '../src/usage/ingest.ts';
import { usageSettings } from '../src/usage/settings.ts';

/** A running worker. */
export interface RunningWorker {
  name: WorkerName;
  stop(): Promise<void>;
}

export const workerNames = ['relay', 'notifications', 'profiling', 'customer-notifications', 'billing', 'usage-ingest'] as const;
export type WorkerName = (typeof workerNames)[number];

const consumerDeps = (deps: Deps): ConsumerDeps => ({
  db: deps.db,
  transactor: deps.transactor,
  clock: deps.clock,
  logger: deps.logger,
  eventSource: deps.eventSource,
  bus: deps.bus,
});

function consumer(deps: Deps, handler: EventHandler) {
  return startConsumer(consumerDeps(deps), handler);
}

/** The dispatcher loop that sends pending notifications, woken by commits in this process. */
function startDispatcher(deps: Deps) {
  const waker = createWaker();
  const wake = () => waker.wake();
  deps.onCommit.add(wake);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      let sent = 0;
      try {
        sent = await dispatchDue(consumerDeps(deps), { channels: deps.channels, ...deps.config.notify });
      } catch (error) {
        deps.logger.error('notification dispatch failed', { error: describeError(error) });
      }
      await waker.wait(sent === 0 ? deps.config.pollMs : 0);
    }
  })();
  return {
    async stop() {
      stopped = true;
      deps.onCommit.delete(wake);
      waker.wake();
      await loop;
    },
  };
}

/** The billing loop: one pass (src/billing/cycle.ts) every BILLING_POLL_MS. */
function startBilling(deps: Deps) {
  const waker = createWaker();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const report = await runBillingCycle(deps);
        if (report.advanced + report.finalized + report.attempted + report.resumed > 0) deps.logger.info('billing pass', { ...report });
      } catch (error) {
        deps.logger.error('billing pass failed', { error: describeError(error) });
      }
      await waker.wait(deps.config.billing.pollMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      waker.wake();
      await loop;
    },
  };
}

const starters: Record<WorkerName, (deps: Deps) => { stop(): Promise<void> }> = {
  relay(deps) {
    // Housekeeping rides along with the relay (one per database): expired Idempotency-Keys go hourly.
    const purge = setInterval(() => {
      purgeExpiredIdempotencyKeys(deps).catch((error) => deps.logger.warn('idempotency purge failed', { error: describeError(error) }));
    }, 3_600_000);
    const relay = startRelay({ db: deps.db, transactor: deps.transactor, bus: deps.bus, clock: deps.clock, logger: deps.logger, pollMs: deps.config.pollMs, leaseMs: deps.config.relay.leaseMs });
    deps.onCommit.add(relay.wake);
    return {
      async stop() {
        clearInterval(purge);
        deps.onCommit.delete(relay.wake);
        await relay.stop();
      },
    };
  },
  notifications(deps) {
    const events = consumer(deps, notificationsHandler);
    const dispatcher = startDispatcher(deps);
    return {
      async stop() {
        await events.stop();
        await dispatcher.stop();
      },
    };
  },
  profiling: (deps) => consumer(deps, createProfilingHandler({ firstPaymentBonusBps: deps.config.billing.firstPaymentBonusBps, ownSource: deps.eventSource })),
  'customer-notifications': (deps) => consumer(deps, customerNotificationsHandler),
  billing: startBilling,
  'usage-ingest': (deps) => consumer(deps, usageIngestHandler(deps.eventSource, usageSettings(deps.config))),
};

/** Starts the named workers (all by default) on the given dependencies. */
export function startWorkers(deps: Deps, names: readonly WorkerName[] = workerNames): RunningWorker[] {
  return names.map((name) => ({ name, ...starters[name](deps) }));
}

/** Stops workers, newest first. */
export async function stopWorkers(workers: RunningWorker[]): Promise<void> {
  for (const worker of [...workers].reverse()) await worker.stop();
}

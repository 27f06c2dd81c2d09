import { describeError } from '../src/kernel/errors.ts';
import { createWaker } from '../src/bus/waker.ts';
import { startConsumer, type EventHandler } from '../src/bus/consumer.ts';
import { startRelay } from '../src/bus/relay.ts';
import { customerNotificationsHandler } from '../src/customers/consumer.ts';
import type { Deps } from '../src/deps.ts';
import { purgeExpiredIdempotencyKeys } from '../src/idempotency/purge.ts';
import { createContext, systemActor } from '../src/kernel/context.ts';
import { dispatchDue } from '../src/notifications/dispatch.ts';
import { notificationsHandler } from '../src/notifications/consumer.ts';
import { createProfilingHandler } from '../src/profiling/consumer.ts';
import { createInvoiceDocumentsHandler } from '../src/invoice-documents/consumer.ts';
import { runBillingCycle } from '../src/billing/cycle.ts';
import { usageIngestHandler } from '../src/usage/consumer.ts';
import { webhooksHandler } from '../src/webhooks/consumer.ts';
import { deliverDue } from '../src/webhooks/deliver.ts';
import { portalInvitationsHandler, portalSignupsHandler } from '../src/portal/consumer.ts';
import { suggestionsHandler } from '../src/suggestions/consumer.ts';
import { auditIngestHandler } from '../src/audit/consumer.ts';

/** A running worker. */
export interface RunningWorker {
  name: WorkerName;
  stop(): Promise<void>;
}

export const workerNames = ['relay', 'notifications', 'profiling', 'customer-notifications', 'billing', 'usage-ingest', 'portal-signups', 'portal-invitations', 'idempotency-purge', 'webhooks', 'suggestions', 'invoice-documents', 'audit-ingest'] as const;
export type WorkerName = (typeof workerNames)[number];

/** How often expired Idempotency-Keys are deleted. */
const IDEMPOTENCY_PURGE_MS = 3_600_000;

/** The workers that are consumer groups on the bus. */
export type ConsumerWorker = 'notifications' | 'profiling' | 'customer-notifications' | 'usage-ingest' | 'webhooks' | 'portal-signups' | 'portal-invitations' | 'suggestions' | 'audit-ingest';

/** Each consumer worker's handler: what its group does with an event (the same on every runtime). */
export function consumerHandlers(deps: Deps): Record<ConsumerWorker, EventHandler> {
  return {
    notifications: notificationsHandler,
    profiling: createProfilingHandler({ firstPaymentBonusBps: deps.settings.billing.firstPaymentBonusBps }),
    'customer-notifications': customerNotificationsHandler,
    'usage-ingest': usageIngestHandler(),
    webhooks: webhooksHandler,
    'portal-signups': portalSignupsHandler,
    'portal-invitations': portalInvitationsHandler,
    suggestions: suggestionsHandler,
    'audit-ingest': auditIngestHandler(deps.eventSource),
  };
}

const consumer = (deps: Deps, name: ConsumerWorker) => startConsumer(deps, consumerHandlers(deps)[name]);

/**
 * A sender loop woken by commits in this process: runs `send` until it finds nothing due,
 * then waits for a commit or POLL_INTERVAL_MS. Notification dispatch and webhook delivery.
 */
function startSender(deps: Deps, what: string, send: () => Promise<number>) {
  const waker = createWaker();
  const wake = () => waker.wake();
  deps.onCommit.add(wake);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      let sent = 0;
      try {
        sent = await send();
      } catch (error) {
        deps.logger.error(`${what} failed`, { error: describeError(error) });
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

/** The dispatcher loop that sends pending notifications. */
const startDispatcher = (deps: Deps) =>
  startSender(deps, 'notification dispatch', () => dispatchDue(createContext(deps, systemActor('notifications')), { channels: deps.channels, ...deps.settings.notify }));

/** The sender loop that POSTs due webhook deliveries (src/webhooks/deliver.ts). */
const startWebhookSender = (deps: Deps) => startSender(deps, 'webhook delivery', () => deliverDue(createContext(deps, systemActor('webhooks')), deps.webhookTransport));

/** Runs `pass` at once and then every `everyMs` until stopped; a failing pass is logged and retried next time. */
function repeat(deps: Deps, what: string, everyMs: number, pass: () => Promise<void>) {
  const waker = createWaker();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        await pass();
      } catch (error) {
        deps.logger.error(`${what} failed`, { error: describeError(error) });
      }
      await waker.wait(everyMs);
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

/** The billing loop: one pass (src/billing/cycle.ts) every BILLING_POLL_MS. */
const startBilling = (deps: Deps) =>
  repeat(deps, 'billing pass', deps.config.billing.pollMs, async () => {
    const report = await runBillingCycle(deps);
    if (report.advanced + report.finalized + report.attempted + report.resumed > 0) deps.logger.info('billing pass', { ...report });
  });

/** Housekeeping, one per database: Idempotency-Keys past retention are deleted hourly (src/idempotency/purge.ts). */
const startIdempotencyPurge = (deps: Deps) =>
  repeat(deps, 'idempotency purge', IDEMPOTENCY_PURGE_MS, async () => {
    const purged = await purgeExpiredIdempotencyKeys(deps);
    if (purged > 0) deps.logger.info('idempotency keys purged', { purged });
  });

/**
 * The `invoice-documents` group: a consumer where the entry gave a renderer (the server
 * runtimes' PDF one). It is not among `consumerHandlers`, so the Workers passes never run
 * it: there the route serves what a server worker stored (docs/invoice-documents.md).
 */
function startInvoiceDocuments(deps: Deps) {
  const render = deps.invoiceRenderer;
  if (!render) {
    deps.logger.warn('invoice-documents: this runtime renders no documents; another runtime must run this worker');
    return { stop: async () => {} };
  }
  return startConsumer(deps, createInvoiceDocumentsHandler({ render, ...deps.config.invoiceDocuments }));
}

const starters: Record<WorkerName, (deps: Deps) => { stop(): Promise<void> }> = {
  relay(deps) {
    const relay = startRelay({ db: deps.db, transactor: deps.transactor, bus: deps.bus, clock: deps.clock, logger: deps.logger, metrics: deps.metrics, pollMs: deps.config.pollMs, leaseMs: deps.config.relay.leaseMs, maxParameters: deps.database.maxParameters });
    deps.onCommit.add(relay.wake);
    return {
      async stop() {
        deps.onCommit.delete(relay.wake);
        await relay.stop();
      },
    };
  },
  notifications(deps) {
    const events = consumer(deps, 'notifications');
    const dispatcher = startDispatcher(deps);
    return {
      async stop() {
        await events.stop();
        await dispatcher.stop();
      },
    };
  },
  profiling: (deps) => consumer(deps, 'profiling'),
  'customer-notifications': (deps) => consumer(deps, 'customer-notifications'),
  billing: startBilling,
  'usage-ingest': (deps) => consumer(deps, 'usage-ingest'),
  'portal-signups': (deps) => consumer(deps, 'portal-signups'),
  'portal-invitations': (deps) => consumer(deps, 'portal-invitations'),
  suggestions: (deps) => consumer(deps, 'suggestions'),
  'audit-ingest': (deps) => consumer(deps, 'audit-ingest'),
  'idempotency-purge': startIdempotencyPurge,
  'invoice-documents': startInvoiceDocuments,
  webhooks(deps) {
    const events = consumer(deps, 'webhooks');
    const sender = startWebhookSender(deps);
    return {
      async stop() {
        await events.stop();
        await sender.stop();
      },
    };
  },
};

/** Starts the named workers (all by default) on the given dependencies. */
export function startWorkers(deps: Deps, names: readonly WorkerName[] = workerNames): RunningWorker[] {
  return names.map((name) => ({ name, ...starters[name](deps) }));
}

/** Stops workers, newest first. */
export async function stopWorkers(workers: RunningWorker[], logger?: Deps['logger'], timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  for (const worker of [...workers].reverse()) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([worker.stop().then(() => 'stopped' as const), gaveUp]);
    clearTimeout(timer);
    // A worker that cannot finish (a Kafka consumer that never leaves its group) must not hold up shutdown:
    // what it had not committed is delivered again to the next instance, and the inbox absorbs it.
    if (outcome === 'timeout') logger?.error('worker did not stop in time; shutting down without it', { worker: worker.name, timeout_ms: timeoutMs });
  }
}

/** How long a worker may take to finish its current work when asked to stop. */
const STOP_TIMEOUT_MS = 15_000;

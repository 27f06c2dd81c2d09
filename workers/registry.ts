import { runBillingCycle } from '../src/billing/cycle.ts';
import { startConsumer, type EventHandler } from '../src/bus/consumer.ts';
import { customerNotificationsHandler } from '../src/customers/consumer.ts';
import type { Deps } from '../src/deps.ts';
import { purgeExpiredIdempotencyKeys } from '../src/idempotency/purge.ts';
import { createInvoiceDocumentsHandler } from '../src/invoice-documents/consumer.ts';
import { createContext, systemActor } from '../src/kernel/context.ts';
import { notificationsHandler } from '../src/notifications/consumer.ts';
import { dispatchDue } from '../src/notifications/dispatch.ts';
import { portalInvitationsHandler, portalSignupsHandler } from '../src/portal/consumer.ts';
import { createProfilingHandler } from '../src/profiling/consumer.ts';
import { suggestionsHandler } from '../src/suggestions/consumer.ts';
import { usageIngestHandler } from '../src/usage/consumer.ts';
import { auditIngestHandler } from '../src/audit/consumer.ts';
import { webhooksHandler } from '../src/webhooks/consumer.ts';
import { deliverDue } from '../src/webhooks/deliver.ts';
import { startRelayLoop, startRepeating, startSenderLoop, type Stoppable } from './loops.ts';

/** A loop sending what is due, woken by commits: `send` sends one batch and answers how many it sent. */
export interface Sender {
  what: string;
  send(deps: Deps): Promise<number>;
}

/**
 * One worker, described once. Its `name` is what `startWorkers`, `bun workers/<name>.ts` and the
 * docs call it; its `kind` says how it runs on a server (a loop of its own) and what it adds to
 * the passes that stand in for the loops on Workers (workers/passes.ts), in this order:
 *
 * - `relay`: the outbox relay, woken by commits. Passes: first, until the outbox is drained.
 * - `consumer`: a consumer group on the bus, its handler built from the domain's `consumer.ts`
 *   (the same on every runtime), with an optional `sender` loop. Passes: one batch of the group
 *   per round when the bus is the embedded log in this database; then its sender, once per round.
 *   `passes: false` keeps a group out of the passes; a handler of null means this runtime cannot
 *   run the group (`unavailable` says why, in the log).
 * - `periodic`: `run` at once and then every `everyMs`. Passes: last, when due.
 */
export type WorkerDescription =
  | { name: string; kind: 'relay' }
  | { name: string; kind: 'consumer'; handler(deps: Deps): EventHandler | null; sender?: Sender; passes?: false; unavailable?: string }
  | { name: string; kind: 'periodic'; what: string; everyMs(deps: Deps): number; run(deps: Deps): Promise<number> };

/** How often expired Idempotency-Keys are deleted. */
const IDEMPOTENCY_PURGE_MS = 3_600_000;

/** One billing pass (src/billing/cycle.ts); answers how many things it moved. */
async function billingPass(deps: Deps): Promise<number> {
  const report = await runBillingCycle(deps);
  const moved = report.advanced + report.finalized + report.attempted + report.resumed;
  if (moved > 0) deps.logger.info('billing pass', { ...report });
  return moved;
}

/** Housekeeping, one per database: Idempotency-Keys past retention are deleted (src/idempotency/purge.ts). */
async function idempotencyPurgePass(deps: Deps): Promise<number> {
  const purged = await purgeExpiredIdempotencyKeys(deps);
  if (purged > 0) deps.logger.info('idempotency keys purged', { purged });
  return purged;
}

/** The workers. A new one is one entry here, its handler imported from its domain's `consumer.ts`. */
const workers = [
  { name: 'relay', kind: 'relay' },
  {
    name: 'notifications',
    kind: 'consumer',
    handler: () => notificationsHandler,
    sender: { what: 'notification dispatch', send: (deps) => dispatchDue(createContext(deps, systemActor('notifications')), { channels: deps.channels, ...deps.settings.notify }) },
  },
  { name: 'profiling', kind: 'consumer', handler: (deps) => createProfilingHandler({ firstPaymentBonusBps: deps.settings.billing.firstPaymentBonusBps }) },
  { name: 'customer-notifications', kind: 'consumer', handler: () => customerNotificationsHandler },
  { name: 'billing', kind: 'periodic', what: 'billing', everyMs: (deps) => deps.config.billing.pollMs, run: billingPass },
  { name: 'usage-ingest', kind: 'consumer', handler: () => usageIngestHandler() },
  {
    name: 'webhooks',
    kind: 'consumer',
    handler: () => webhooksHandler,
    sender: { what: 'webhook delivery', send: (deps) => deliverDue(createContext(deps, systemActor('webhooks')), deps.webhookTransport) },
  },
  { name: 'portal-signups', kind: 'consumer', handler: () => portalSignupsHandler },
  { name: 'portal-invitations', kind: 'consumer', handler: () => portalInvitationsHandler },
  { name: 'idempotency-purge', kind: 'periodic', what: 'idempotency purge', everyMs: () => IDEMPOTENCY_PURGE_MS, run: idempotencyPurgePass },
  { name: 'suggestions', kind: 'consumer', handler: () => suggestionsHandler },
  { name: 'audit-ingest', kind: 'consumer', handler: (deps) => auditIngestHandler(deps.eventSource) },
  // A consumer only where the entry gave a renderer (the server runtimes' PDF one), and never a pass:
  // on Workers the route serves what a server worker stored (docs/invoice-documents.md).
  {
    name: 'invoice-documents',
    kind: 'consumer',
    handler: (deps) => (deps.invoiceRenderer ? createInvoiceDocumentsHandler({ render: deps.invoiceRenderer, ...deps.config.invoiceDocuments }) : null),
    unavailable: 'this runtime renders no documents',
    passes: false,
  },
] as const satisfies readonly WorkerDescription[];

type Described = (typeof workers)[number];
/** A worker's name: a value of `startWorkers`, a script `workers/<name>.ts`. */
export type WorkerName = Described['name'];
/** The consumer groups the Workers passes run. */
export type ConsumerWorker = Exclude<Extract<Described, { kind: 'consumer' }>, { passes: false }>['name'];

/** Every worker's name, in the table's order (the order `startWorkers` starts them in). */
export const workerNames: readonly WorkerName[] = workers.map((w) => w.name);

/** The workers the passes run, by kind, each in the table's order. */
export const passWorkers = {
  relays: workers.filter((w): w is Extract<Described, { kind: 'relay' }> => w.kind === 'relay'),
  consumers: workers.filter((w): w is Extract<Described, { name: ConsumerWorker }> => w.kind === 'consumer' && !('passes' in w && w.passes === false)),
  senders: workers.flatMap((w) => ('sender' in w ? [w.sender as Sender] : [])),
  periodic: workers.filter((w): w is Extract<Described, { kind: 'periodic' }> => w.kind === 'periodic'),
};

/** A running worker. */
export interface RunningWorker extends Stoppable {
  name: WorkerName;
}

/** Starts one worker as the loops of a server process. */
function startWorker(deps: Deps, worker: WorkerDescription): Stoppable {
  switch (worker.kind) {
    case 'relay':
      return startRelayLoop(deps);
    case 'periodic':
      return startRepeating(deps, `${worker.what} pass`, worker.everyMs(deps), () => worker.run(deps));
    case 'consumer': {
      const handler = worker.handler(deps);
      if (!handler) {
        deps.logger.warn(`${worker.name}: ${worker.unavailable ?? 'this runtime cannot run it'}; another runtime must run this worker`);
        return { stop: async () => {} };
      }
      const events = startConsumer(deps, handler);
      const { sender } = worker;
      if (!sender) return events;
      const sending = startSenderLoop(deps, sender.what, () => sender.send(deps));
      return {
        async stop() {
          await events.stop();
          await sending.stop();
        },
      };
    }
  }
}

const byName = new Map<string, WorkerDescription>(workers.map((w) => [w.name, w]));

/** Starts the named workers (all by default) on the given dependencies. */
export function startWorkers(deps: Deps, names: readonly WorkerName[] = workerNames): RunningWorker[] {
  return names.map((name) => ({ name, ...startWorker(deps, byName.get(name)!) }));
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

import type { Database, Tx } from '../../db/client.ts';

/**
 * Runs write transactions. Every write in a process must go through `write`:
 * a libSQL file connection waits for SQLite's write lock synchronously, so two
 * writers on separate connections of one process would block the event loop
 * and deadlock until the busy timeout. Every command goes through `write`, which is where
 * concurrent commands are coalesced (group commit): callers queued while a
 * transaction is running share the next one, each isolated by a savepoint, so
 * one failing command rolls back only its own work and SQLite pays one commit
 * for the whole group.
 */
export interface Transactor {
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

interface Job {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Outcome {
  job: Job;
  ok: boolean;
  value: unknown;
}

/** Runs a callback after the I/O already waiting has been handled (setImmediate where the runtime has it). */
const afterPendingIo: (run: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (run) => void (globalThis as unknown as { setImmediate(run: () => void): unknown }).setImmediate(run)
    : (run) => void setTimeout(run, 0);

/**
 * A transactor that serialises writers inside this process and groups up to
 * `maxBatch` queued commands into one transaction (1 disables grouping).
 *
 * On a synchronous driver a command runs to its end without yielding, so a batch
 * would rarely find company: the first write of a burst waits until the requests
 * already received have been read (one turn of the event loop) and they share its commit.
 */
export function createTransactor(database: Database, options: { maxBatch?: number; onCommit?: () => void } = {}): Transactor {
  const maxBatch = Math.max(1, options.maxBatch ?? 64);
  const queue: Job[] = [];
  let running = false;

  async function runBatch(batch: Job[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await database.transaction(async (tx) => {
        for (const job of batch) {
          try {
            // A lone command needs no savepoint: its failure rolls back the whole transaction.
            const value = batch.length === 1 ? await job.fn(tx) : await database.savepoint(tx, job.fn);
            outcomes.push({ job, ok: true, value });
          } catch (error) {
            if (batch.length === 1) throw error;
            outcomes.push({ job, ok: false, value: error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed (or the lone command threw): nobody's work is durable.
      const failedAlready = new Set(outcomes.filter((o) => !o.ok).map((o) => o.job));
      for (const job of batch) job.reject(failedAlready.has(job) ? outcomes.find((o) => o.job === job)!.value : error);
      return;
    }
    options.onCommit?.();
    for (const o of outcomes) (o.ok ? o.job.resolve : o.job.reject)(o.value);
  }

  /** Runs queued commands batch by batch; `write` marked the transactor running before calling it. */
  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) await runBatch(queue.splice(0, maxBatch));
    } finally {
      running = false;
    }
  }

  return {
    write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        if (running) return;
        running = true;
        if (database.synchronous) afterPendingIo(() => void drain());
        else void drain();
      });
    },
  };
}

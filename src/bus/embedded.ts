import { describeError } from '../kernel/errors.ts';
import { and, count, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { busLog, consumerPositions } from '../../db/schema/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Transactor } from '../kernel/transactor.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Bus, GroupState, SubscribeOptions, Subscription } from './bus.ts';
import { createWaker } from './waker.ts';
import { deadLetterCounts, recordDeadLetter } from './dead-letters.ts';

export interface EmbeddedBusOptions {
  db: Db;
  /** Every write goes through the process's one writer (see Transactor). */
  transactor: Transactor;
  clock: Clock;
  logger: Logger;
  /** How long an idle subscription waits before looking for new events again. */
  pollMs?: number;
  batchSize?: number;
  /** Wait after a failed fetch or delivery before trying again. */
  retryMs?: number;
}

/**
 * The default bus: a durable append-only log in the same libSQL database, with
 * one position per consumer group. Works across processes sharing the file;
 * within one process a publish wakes the subscribers at once.
 */
export function createEmbeddedBus(options: EmbeddedBusOptions): Bus {
  const { db, transactor, clock, logger } = options;
  const pollMs = options.pollMs ?? 200;
  const batchSize = options.batchSize ?? 100;
  const retryMs = options.retryMs ?? 1_000;
  const waker = createWaker();
  // Every group reads the events of its types, and the replays meant for it alone.
  const forGroup = (group: string) => or(isNull(busLog.targetGroup), eq(busLog.targetGroup, group));

  async function readPosition(group: string, types: readonly string[]): Promise<number> {
    await transactor.write((tx) =>
      tx
        .insert(consumerPositions)
        .values({ group, position: 0, types: [...types], updatedAt: clock.now() })
        .onConflictDoUpdate({ target: consumerPositions.group, set: { types: [...types] } }),
    );
    const [row] = await db.select({ position: consumerPositions.position }).from(consumerPositions).where(eq(consumerPositions.group, group));
    return row?.position ?? 0;
  }

  function subscribe({ group, types, handle }: SubscribeOptions): Subscription {
    let stopped = false;
    const loop = (async () => {
      let position: number | null = null;
      while (!stopped) {
        try {
          position ??= await readPosition(group, types);
          const rows = await db
            .select({ offset: busLog.offset, subject: busLog.subject, envelope: busLog.envelope })
            .from(busLog)
            .where(and(gt(busLog.offset, position), inArray(busLog.type, [...types]), forGroup(group)))
            .orderBy(busLog.offset)
            .limit(batchSize);
          if (rows.length === 0) {
            await waker.wait(pollMs);
            continue;
          }
          // One subject's events one after another, in order; different subjects side by side, so their
          // transactions queue together and share a commit (the transactor's group commit).
          const bySubject = new Map<string, typeof rows>();
          for (const row of rows) bySubject.set(row.subject, [...(bySubject.get(row.subject) ?? []), row]);
          const handled = new Set<number>();
          const outcomes = await Promise.allSettled(
            [...bySubject.values()].map(async (events) => {
              for (const row of events) {
                if (stopped) return;
                await handle(JSON.parse(row.envelope));
                handled.add(row.offset);
              }
            }),
          );
          // Moves past the events handled without a gap; a failed one and those after it come again.
          for (const row of rows) {
            if (!handled.has(row.offset)) break;
            position = row.offset;
          }
          const failed = outcomes.find((o) => o.status === 'rejected');
          if (failed) throw failed.reason;
          // Stopped part-way: nothing is recorded, and the next start re-delivers what the inbox already has.
          if (stopped) break;
          // Committed after the batch's effects: a crash re-delivers at most one batch, which the inbox absorbs.
          const committed = position;
          await transactor.write((tx) =>
            tx.update(consumerPositions).set({ position: committed, updatedAt: clock.now() }).where(eq(consumerPositions.group, group)),
          );
          // Yield to other work (HTTP requests) between batches even when busy.
          await waker.wait(0);
        } catch (error) {
          // A failure here (database unreachable, handler gave up) must not end the subscription:
          // back off and resume from the last event handled, which the inbox makes safe to repeat.
          logger.error('embedded subscription failed; retrying', { group, error: describeError(error) });
          await waker.wait(retryMs);
        }
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

  return {
    name: 'embedded',
    async publish(events) {
      if (events.length === 0) return;
      const now = clock.now();
      // Re-publishing after a relay crash is harmless: the event id is unique in the log.
      await transactor.write((tx) =>
        tx
          .insert(busLog)
          .values(events.map((e) => ({ eventId: e.id, type: e.type, subject: e.subject, envelope: JSON.stringify(e), appendedAt: now })))
          .onConflictDoNothing({ target: busLog.eventId }),
      );
      waker.wake();
    },
    subscribe,
    deadLetter: (group, raw, reason) => recordDeadLetter({ transactor, clock }, group, raw, reason),
    async redeliver(tx, delivery) {
      // Appended at the log's end under the replay's own key: the group's inbox dedupes by the envelope's id.
      await tx
        .insert(busLog)
        .values({ eventId: delivery.key, type: delivery.type, subject: delivery.subject, envelope: delivery.envelope, appendedAt: clock.now(), targetGroup: delivery.group })
        .onConflictDoNothing({ target: busLog.eventId });
      // Subscribers in this process look again now rather than at their next poll (harmless before the commit).
      waker.wake();
    },
    async groups(): Promise<GroupState[]> {
      const rows = await db.select().from(consumerPositions).orderBy(consumerPositions.group);
      const parkedBy = await deadLetterCounts(db);
      return Promise.all(
        rows.map(async (row) => {
          const [lag] = await db
            .select({ n: count() })
            .from(busLog)
            .where(and(gt(busLog.offset, row.position), inArray(busLog.type, row.types), forGroup(row.group)));
          return { group: row.group, types: row.types, position: row.position, lag: lag?.n ?? 0, deadLetters: parkedBy.get(row.group) ?? 0, updatedAt: row.updatedAt };
        }),
      );
    },
    async ping() {
      await db.run(sql`SELECT 1`);
      return true;
    },
    async close() {
      waker.wake();
    },
  };
}

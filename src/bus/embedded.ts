import { describeError } from '../kernel/errors.ts';
import { and, count, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { forEachChunk, MAX_BOUND_PARAMETERS } from '../../db/chunks.ts';
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
  /** Bound parameters a statement may carry on this database (`Database.maxParameters`); the portable 100 by default. */
  maxParameters?: number;
  retryMs?: number;
}

/** What reading the log for a consumer group needs: the database, its one writer and the clock. */
export interface EmbeddedLog {
  db: Db;
  transactor: Transactor;
  clock: Clock;
}

/**
 * A consumer group's place in the log, kept by whoever runs the group: read when it opens, and
 * read again when it has caught up, so a replay (`platform events replay`) moving it is taken up.
 */
export interface GroupCursor {
  /**
   * Hands the next batch of the group's events to its handler and records how far it got;
   * resolves with the number of events handled (0: the group has caught up). Throws the first
   * failed delivery, keeping (in memory, stored with the next batch) the events handled before
   * it without a gap.
   */
  consumeBatch(stopped?: () => boolean): Promise<number>;
}

/** Every group reads the events of its types, and the replays meant for it alone. */
const forGroup = (group: string) => or(isNull(busLog.targetGroup), eq(busLog.targetGroup, group));

/**
 * Opens a consumer group's cursor on the embedded log: what the subscription loop of a
 * server and the Durable Object's alarm on the edge both run, one batch at a time.
 */
export function openGroupCursor(log: EmbeddedLog, { group, types, handle }: SubscribeOptions, batchSize = 100): GroupCursor {
  const { db, transactor, clock } = log;
  let position: number | null = null;
  /** The position as this cursor last read or wrote it: another value in the table means it was moved (a replay). */
  let stored: number | null = null;

  async function readPosition(): Promise<number> {
    await transactor.write((tx) =>
      tx
        .insert(consumerPositions)
        .values({ group, position: 0, types: [...types], updatedAt: clock.now() })
        .onConflictDoUpdate({ target: consumerPositions.group, set: { types: [...types] } }),
    );
    return storedPosition();
  }

  async function storedPosition(): Promise<number> {
    const [row] = await db.select({ position: consumerPositions.position }).from(consumerPositions).where(eq(consumerPositions.group, group));
    return row?.position ?? 0;
  }

  return {
    async consumeBatch(stopped = () => false) {
      if (position === null) position = stored = await readPosition();
      const rows = await db
        .select({ offset: busLog.offset, subject: busLog.subject, envelope: busLog.envelope })
        .from(busLog)
        .where(and(gt(busLog.offset, position), inArray(busLog.type, [...types]), forGroup(group)))
        .orderBy(busLog.offset)
        .limit(batchSize);
      if (rows.length === 0) {
        // Caught up: look at the stored position, which `platform events replay` may have moved back.
        const now = await storedPosition();
        if (now !== stored) position = stored = now;
        return 0;
      }
      // One subject's events one after another, in order; different subjects side by side, so their
      // transactions queue together and share a commit (the transactor's group commit).
      const bySubject = new Map<string, typeof rows>();
      for (const row of rows) bySubject.set(row.subject, [...(bySubject.get(row.subject) ?? []), row]);
      const handled = new Set<number>();
      const outcomes = await Promise.allSettled(
        [...bySubject.values()].map(async (events) => {
          for (const row of events) {
            if (stopped()) return;
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
      if (stopped()) return handled.size;
      // Committed after the batch's effects: a crash re-delivers at most one batch, which the inbox absorbs.
      // Only over the position this cursor last stored: a replay that moved it meanwhile wins, and the
      // cursor continues from there (the inbox absorbs what it already handled).
      const committed = position;
      const expected = stored!;
      const written = await transactor.write((tx) =>
        tx
          .update(consumerPositions)
          .set({ position: committed, updatedAt: clock.now() })
          .where(and(eq(consumerPositions.group, group), eq(consumerPositions.position, expected)))
          .returning({ group: consumerPositions.group }),
      );
      if (written.length > 0) stored = committed;
      else position = stored = await storedPosition();
      return handled.size;
    },
  };
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

  function subscribe(subscription: SubscribeOptions): Subscription {
    let stopped = false;
    const cursor = openGroupCursor({ db, transactor, clock }, subscription, batchSize);
    const loop = (async () => {
      while (!stopped) {
        try {
          const handled = await cursor.consumeBatch(() => stopped);
          // Idle: wait for a publish or the poll; busy: yield to other work (HTTP requests) between batches.
          await waker.wait(handled === 0 ? pollMs : 0);
        } catch (error) {
          // A failure here (database unreachable, handler gave up) must not end the subscription:
          // back off and resume from the last event handled, which the inbox makes safe to repeat.
          logger.error('embedded subscription failed; retrying', { group: subscription.group, error: describeError(error) });
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
      const rows = events.map((e) => ({ eventId: e.id, type: e.type, subject: e.subject, envelope: JSON.stringify(e), appendedAt: now }));
      // Five parameters a row: as many rows a statement as the portable parameter limit allows.
      await transactor.write((tx) =>
        forEachChunk(rows, (part) => tx.insert(busLog).values(part).onConflictDoNothing({ target: busLog.eventId }), Math.floor((options.maxParameters ?? MAX_BOUND_PARAMETERS) / 5)),
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

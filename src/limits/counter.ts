import { lte, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { rateCounters } from '../../db/schema/index.ts';

/** A counter's state after a hit: its count in the current window and when that window ends. */
export interface WindowCount {
  count: number;
  resetsAt: number;
}

/**
 * Adds `by` to `key`'s count in its fixed window and returns the new count; a window
 * that has ended starts again at `by`, ending `windowMs` from now. One upsert: SQLite
 * runs it atomically under the write lock, so every process sharing the database
 * counts into the same row without losing a hit.
 */
export async function countHits(tx: Tx, key: string, options: { by: number; windowMs: number; now: number }): Promise<WindowCount> {
  const { by, windowMs, now } = options;
  const over = sql`${rateCounters.resetsAt} <= ${now}`;
  const [row] = await tx
    .insert(rateCounters)
    .values({ key, resetsAt: now + windowMs, count: by })
    .onConflictDoUpdate({
      target: rateCounters.key,
      set: {
        count: sql`CASE WHEN ${over} THEN ${by} ELSE ${rateCounters.count} + ${by} END`,
        resetsAt: sql`CASE WHEN ${over} THEN ${now + windowMs} ELSE ${rateCounters.resetsAt} END`,
      },
    })
    .returning({ count: rateCounters.count, resetsAt: rateCounters.resetsAt });
  return row!;
}

/** Deletes every counter whose window has ended (they count as zero anyway); an indexed range delete. */
export async function purgeEndedWindows(tx: Tx, now: number): Promise<void> {
  await tx.delete(rateCounters).where(lte(rateCounters.resetsAt, now));
}

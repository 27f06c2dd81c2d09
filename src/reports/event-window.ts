import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { outbox } from '../../db/schema/index.ts';

/** The outbox's commit order (see src/events/queries.ts): a row's rowid only grows with commit order. */
export const position = sql<number>`${outbox}.rowid`;

/**
 * The first outbox position whose events are at `time` or later, found by a binary search
 * over the rowid in one statement (about log2(rows) point lookups), so a report over the
 * last hour or month reads that window only, never the whole log (the outbox has no
 * index on time). It relies on event times growing with commit order, which holds up to
 * the moments between a command's clock reading and its commit: good enough for a report.
 * When no event is that recent it answers one past the last position.
 */
export async function firstPositionAt(db: Executor, time: number): Promise<number> {
  const probe = sql`(SELECT "time" FROM ${outbox} WHERE ${outbox}.rowid >= (lo + hi) / 2 ORDER BY ${outbox}.rowid LIMIT 1)`;
  const rows = await db.all<{ lo: number }>(sql`
    WITH RECURSIVE search(lo, hi) AS (
      SELECT coalesce((SELECT min(rowid) FROM ${outbox}), 1), coalesce((SELECT max(rowid) FROM ${outbox}), 0) + 1
      UNION ALL
      SELECT CASE WHEN coalesce(${probe} >= ${time}, 1) THEN lo ELSE (lo + hi) / 2 + 1 END,
             CASE WHEN coalesce(${probe} >= ${time}, 1) THEN (lo + hi) / 2 ELSE hi END
      FROM search WHERE lo < hi
    )
    SELECT lo FROM search WHERE lo >= hi`);
  return rows[0]!.lo;
}

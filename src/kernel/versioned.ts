import { and, eq } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { TxCtx } from './context.ts';
import { DomainError } from './errors.ts';

/** Another writer changed the row since it was read: a 409 conflict; retrying the command is safe. */
export class ConcurrentUpdateError extends DomainError {
  constructor(what: string, id: string) {
    super('conflict', `${what} ${id} changed meanwhile; retry`, { id });
  }
}

type VersionedTable = SQLiteTable & { id: SQLiteColumn; version: SQLiteColumn; updatedAt: SQLiteColumn };

/**
 * Optimistic concurrency for aggregates with a `version` column: writes `changes` to the
 * row read at `current.version`, bumping the version and `updated_at`. A concurrent writer
 * that got there first makes this a ConcurrentUpdateError instead of a lost update.
 */
export async function saveVersioned<T extends VersionedTable>(
  ctx: TxCtx,
  table: T,
  what: string,
  current: T['$inferSelect'] & { id: string; version: number },
  changes: Partial<T['$inferSelect']>,
): Promise<T['$inferSelect']> {
  const [row] = (await ctx.tx
    .update(table)
    // drizzle cannot type `set` for a table only known by its shape; the columns are checked by T above.
    .set({ ...changes, version: current.version + 1, updatedAt: ctx.clock.now() } as never)
    .where(and(eq(table.id, current.id), eq(table.version, current.version)))
    .returning()) as T['$inferSelect'][];
  if (!row) throw new ConcurrentUpdateError(what, current.id);
  return row;
}

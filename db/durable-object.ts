import { drizzle } from 'drizzle-orm/durable-sqlite';
import { migrate } from 'drizzle-orm/durable-sqlite/migrator';
import type { Database, Db, Tx } from './database.ts';
import { bundledMigrations } from './migrations-bundle.ts';
import { MAX_BOUND_PARAMETERS } from './chunks.ts';
import * as schema from './schema/index.ts';

/** What the adapter needs of a SQLite-backed Durable Object's storage (`ctx.storage`), typed by hand. */
export interface DurableObjectSql {
  sql: { exec(query: string, ...bindings: unknown[]): unknown };
  /** A transaction that stays open across the callback's awaits; rolled back when it throws; nested, a savepoint. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  transactionSync<T>(fn: () => T): T;
}

/**
 * The `Database` port over a SQLite-backed Durable Object's own storage, through
 * drizzle's `durable-sqlite` driver. The object is the one writer of its database.
 *
 * Transactions are `storage.transaction(async …)`, which stays open across awaits and rolls
 * back when its callback throws (drizzle's own `transaction` there is `transactionSync`,
 * which cannot span an await); nested, it is a savepoint, which the transactor's group
 * commit uses. While one is open the object takes no other event, so reads never see
 * uncommitted rows although there is one connection.
 */
export function openDurableObjectDatabase(storage: DurableObjectSql, options: { onQuery?: (sql: string) => void } = {}): Database {
  const { onQuery } = options;
  const db = drizzle(storage as never, { schema, logger: onQuery ? { logQuery: (sql) => onQuery(sql) } : false }) as unknown as Db;
  return {
    db,
    // Statements run synchronously: commands queue a moment to share a commit.
    synchronous: true,
    maxParameters: MAX_BOUND_PARAMETERS,
    // The open transaction belongs to the storage, not to a handle: the same `db` runs inside it.
    transaction: (fn) => storage.transaction(() => fn(db as Tx)),
    savepoint: (tx, fn) => storage.transaction(() => fn(tx)),
    // The runtime owns the storage; there is nothing to close.
    close: () => undefined,
  };
}

/**
 * Applies the bundled migrations (db/migrations-bundle.ts) not yet recorded, in one
 * transaction, with drizzle's durable-sqlite migrator; safe at every start of the object.
 * Every file applies unchanged: workerd's SQLite allows `PRAGMA foreign_keys` (0005), which
 * inside the migration's transaction is a no-op there as on every server, and has FTS5 with
 * the trigram tokenizer (0007).
 */
export async function applyBundledMigrations(database: Database): Promise<void> {
  await migrate(database.db as never, bundledMigrations);
}

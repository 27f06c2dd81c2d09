import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema/index.ts';

/**
 * The database as every driver presents it (client.ts opens one; local-file.ts and
 * durable-object.ts implement it): types only, so a driver and the opener that picks it
 * both name them without importing each other.
 */

/** The tables of db/schema, as drizzle types them. */
export type Schema = typeof schema;
/**
 * A drizzle database over our schema, on a synchronous driver (a local file) or an
 * asynchronous one (remote libSQL): domain code awaits every query, so it runs on both.
 */
export type Db = BaseSQLiteDatabase<'sync' | 'async', unknown, Schema>;
/** What a command writes through: the write connection inside an open transaction. */
export type Tx = Db;
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Db;

/** An open database: a connection for reads and the transaction primitives the transactor uses. */
export interface Database {
  /** Reads outside a write transaction see the last committed state. */
  db: Db;
  /** Runs `fn` in one write transaction, committed when it returns and rolled back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `fn` in a savepoint of the open transaction `tx`: when it throws, only its own work is undone. */
  savepoint<T>(tx: Tx, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** True when statements run synchronously (a local file): commands then queue a moment to share a commit. */
  synchronous: boolean;
  /** Bound parameters one statement may carry here (SQLite's default 32,766; a Durable Object's SQLite 100). */
  maxParameters: number;
  /** Bytes free on the file system under a local file (readiness); absent where the server manages its storage. */
  freeBytes?(): number | undefined;
  close(): void;
}

/** How SQLite makes a commit durable: `full` survives power loss, `normal` (WAL) survives a crash of the process. */
export type Synchronous = 'full' | 'normal';

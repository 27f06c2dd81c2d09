import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { openLocalFile, type Synchronous } from './local-file.ts';
import { SQLITE_MAX_PARAMETERS } from './chunks.ts';
import * as schema from './schema/index.ts';

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

export interface OpenOptions {
  authToken?: string;
  /** Durability of a local file's commits (`DATABASE_SYNCHRONOUS`); remote servers decide their own. */
  synchronous?: Synchronous;
  /** Called with the SQL of every query (query-plan checks, debugging); off by default. */
  onQuery?: (sql: string) => void;
}

/** A remote libSQL server (`libsql://…`, `https://…`, Turso) through `@libsql/client`. */
function openRemote(url: string, authToken: string | undefined, onQuery?: (sql: string) => void): Database {
  const client = createClient({ url, authToken, intMode: 'number' });
  const db = drizzle(client, { schema, logger: onQuery ? { logQuery: (sql) => onQuery(sql) } : false });
  return {
    db: db as unknown as Db,
    synchronous: false,
    maxParameters: SQLITE_MAX_PARAMETERS,
    transaction: (fn) => db.transaction((tx) => fn(tx as unknown as Tx)),
    savepoint: (tx, fn) => (tx as unknown as typeof db).transaction((sp) => fn(sp as unknown as Tx)),
    close: () => client.close(),
  };
}

/**
 * Opens a libSQL database: a local file (`file:./data/app.db`) on libSQL's fast
 * synchronous driver, or a remote libSQL server (`libsql://…`, `https://…`, Turso).
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (url.startsWith('file:')) return openLocalFile(url.slice('file:'.length), schema, options.synchronous ?? 'full', options.onQuery);
  return openRemote(url, options.authToken, options.onQuery);
}

export { storageFaultOf, type StorageFault, type StorageFaultKind } from './storage-fault.ts';
export { schema };
export type { Synchronous };

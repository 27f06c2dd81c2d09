import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import type { Database, Db, Synchronous, Tx } from './database.ts';
import { openLocalFile } from './local-file.ts';
import { SQLITE_MAX_PARAMETERS } from './chunks.ts';
import * as schema from './schema/index.ts';

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
export type { Database, Db, Executor, Schema, Synchronous, Tx } from './database.ts';

import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Db = LibSQLDatabase<Schema>;
/** A drizzle transaction over the same schema. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  client: Client;
  db: Db;
  close(): void;
}

/**
 * Opens a libSQL database: a local file (`file:./data/app.db`) or a remote
 * libSQL server (`libsql://…`, `https://…`, Turso).
 */
export async function openDatabase(url: string, options: { authToken?: string } = {}): Promise<Database> {
  const client = createClient({
    url,
    authToken: options.authToken,
    // Several processes (API, workers) may share one file: wait for the write lock instead of failing.
    timeout: 10_000,
    intMode: 'number',
  });
  if (url.startsWith('file:')) {
    // WAL lets readers proceed while one writer commits; the setting persists in the file.
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = NORMAL');
  }
  const db = drizzle(client, { schema });
  return { client, db, close: () => client.close() };
}

export { schema };

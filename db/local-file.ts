import LibsqlDatabase from 'libsql';
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createTableRelationsHelpers, extractTablesRelationalConfig } from 'drizzle-orm';
import { BetterSQLiteSession } from 'drizzle-orm/better-sqlite3/session';
import { BaseSQLiteDatabase, SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { SQLITE_MAX_PARAMETERS } from './chunks.ts';
import { withMaxParameters } from './prepared.ts';
import type { Database, Db, Schema, Synchronous, Tx } from './database.ts';

type Connection = InstanceType<typeof LibsqlDatabase>;
// libsql types its bind parameters per statement; the session passes them through as it got them.
type Statement = { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[]; get(...params: unknown[]): unknown; raw(on: boolean): Statement; reader: boolean; rawMode?: boolean };

/** Statements kept per connection; past this the least recently used is dropped. */
const STATEMENT_CACHE_SIZE = 500;

/** libsql adds a `_metadata` member to a row that `get` returns as an object; no caller wants it. */
function withoutMetadata(row: unknown): unknown {
  if (row && typeof row === 'object' && !Array.isArray(row) && '_metadata' in row) {
    const { _metadata, ...rest } = row as Record<string, unknown>;
    return rest;
  }
  return row;
}

/**
 * What drizzle's session needs of a connection (`prepare`), with each SQL text
 * compiled once and reused: compiling is most of a point query's cost otherwise.
 *
 * A compiled statement serves one way of running only (`run`, `all` or `get`):
 * libsql 0.5 does not reset a statement that `all` iterated before a later `get`,
 * which then answers with a row of the earlier execution; and its `run` of a query
 * that returns rows leaves the statement open, holding the connection's snapshot.
 * A cached statement keeps its raw/object mode between uses, so every call sets the
 * mode it needs.
 */
function withStatementCache(connection: Connection) {
  const cache = new Map<string, Statement>();
  let open = true;
  const compiled = (use: 'run' | 'all' | 'get', sql: string): Statement => {
    // A cached statement would keep working on a closed connection: refuse as the driver does.
    if (!open) throw new TypeError('The database connection is not open');
    const key = `${use}:${sql}`;
    let statement = cache.get(key);
    if (statement) {
      cache.delete(key);
    } else {
      statement = connection.prepare(sql) as unknown as Statement;
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, statement);
    return statement;
  };
  return {
    close() {
      open = false;
      cache.clear();
      connection.close();
    },
    prepare(sql: string) {
      // Compiled on first use of each way; switching modes is a call into the driver, so only when it changes.
      const statement = (use: 'run' | 'all' | 'get', raw: boolean) => {
        const compiledStatement = compiled(use, sql);
        if (compiledStatement.rawMode !== raw) compiledStatement.raw((compiledStatement.rawMode = raw));
        return compiledStatement;
      };
      return {
        run: (...params: unknown[]) => {
          const compiledStatement = compiled('run', sql);
          // libsql 0.5's run leaves a statement that returns rows (a SELECT) unfinished, and the
          // connection's read snapshot with it: later reads would not see later commits.
          if (!compiledStatement.reader) return compiledStatement.run(...params);
          statement('all', false).all(...params);
          return { changes: 0, lastInsertRowid: 0 };
        },
        all: (...params: unknown[]) => statement('all', false).all(...params),
        get: (...params: unknown[]) => withoutMetadata(statement('get', false).get(...params)),
        raw: () => ({
          all: (...params: unknown[]) => statement('all', true).all(...params),
          get: (...params: unknown[]) => statement('get', true).get(...params),
        }),
      };
    },
  };
}

function drizzleOver(connection: ReturnType<typeof withStatementCache>, schema: Schema, onQuery?: (sql: string) => void): Db {
  const dialect = new SQLiteSyncDialect();
  const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const relational = { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap };
  const logger = onQuery ? { logQuery: (sql: string) => onQuery(sql) } : undefined;
  const session = new BetterSQLiteSession(connection as never, dialect, relational as never, { logger });
  return new BaseSQLiteDatabase('sync', dialect, session as never, relational as never) as unknown as Db;
}

function connect(path: string, synchronous: Synchronous): Connection {
  const connection = new LibsqlDatabase(path);
  // Several processes (API, workers) may share one file: wait for the write lock instead of failing.
  connection.pragma('busy_timeout = 10000');
  // WAL lets readers go on while one writer commits; the setting persists in the file.
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  return connection;
}

/**
 * A local libSQL file on the synchronous driver, with two connections: one that
 * only the transactor writes through, and one for reads. A statement runs in
 * microseconds without a round trip through the event loop, so a request that
 * reads twice pays for two statements, not two promises resolved by a thread pool.
 *
 * Reads go to their own connection because a write transaction stays open across
 * the `await`s of the command it runs: on the same connection, another request's
 * read would see that command's uncommitted rows. WAL gives the read connection the
 * last committed state, without waiting for the writer.
 */
export function openLocalFile(path: string, schema: Schema, synchronous: Synchronous, onQuery?: (sql: string) => void): Database {
  const writer = connect(path, synchronous);
  const reader = withStatementCache(connect(path, synchronous));
  const writeStatements = withStatementCache(writer);
  // Its multi-row inserts (`insertMany`) may use SQLite's own parameter limit.
  const writeDb = withMaxParameters(drizzleOver(writeStatements, schema, onQuery), SQLITE_MAX_PARAMETERS);
  let savepoints = 0;
  /** The error with which SQLite rolled back the open transaction by itself, if it did. */
  let aborted: unknown;
  return {
    db: drizzleOver(reader, schema, onQuery),
    synchronous: true,
    maxParameters: SQLITE_MAX_PARAMETERS,
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      // IMMEDIATE takes the write lock now, so a second process waits here rather than failing at its first write.
      writer.exec('BEGIN IMMEDIATE');
      aborted = undefined;
      try {
        const value = await fn(writeDb);
        // SQLite may have rolled the whole transaction back on its own (a full disk, an I/O error):
        // its work is gone, and COMMIT would only say there is no transaction.
        if (aborted !== undefined) throw aborted;
        writer.exec('COMMIT');
        return value;
      } catch (error) {
        if (writer.inTransaction) writer.exec('ROLLBACK');
        throw error;
      } finally {
        aborted = undefined;
      }
    },
    async savepoint<T>(tx: Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
      // Outside a transaction a SAVEPOINT would open one of its own and RELEASE commit it: work
      // meant to commit with the batch would commit alone, whatever happens to the batch.
      if (aborted !== undefined) throw aborted;
      const name = `sp${++savepoints}`;
      writer.exec(`SAVEPOINT ${name}`);
      try {
        const value = await fn(tx);
        writer.exec(`RELEASE ${name}`);
        return value;
      } catch (error) {
        if (!writer.inTransaction) {
          // SQLite rolled the whole transaction back (SQLITE_FULL, SQLITE_IOERR …): the savepoint is gone too.
          aborted = error;
          throw error;
        }
        writer.exec(`ROLLBACK TO ${name}`);
        writer.exec(`RELEASE ${name}`);
        throw error;
      }
    },
    freeBytes() {
      try {
        const fs = statfsSync(dirname(resolve(path)));
        return Number(fs.bavail) * Number(fs.bsize);
      } catch {
        return undefined; // a runtime without statfs
      }
    },
    close() {
      writeStatements.close();
      reader.close();
    },
  };
}

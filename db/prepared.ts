import { getTableColumns, sql, type InferSelectModel } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Executor } from './client.ts';

/**
 * A query built and prepared once per database connection, then reused: drizzle
 * builds a query's SQL on every call otherwise, which costs more than running a
 * point lookup. Use it for the queries every request makes (the session check,
 * loading a resource by id); pass values through `sql.placeholder`.
 *
 * @example
 * const byId = prepared((db) => db.select().from(customers).where(eq(customers.id, sql.placeholder('id'))).prepare());
 * const [row] = await byId(db).all({ id });
 */
export function prepared<T>(build: (db: Executor) => T): (db: Executor) => T {
  const byConnection = new WeakMap<Executor, T>();
  return (db) => {
    let query = byConnection.get(db);
    if (query === undefined) byConnection.set(db, (query = build(db)));
    return query;
  };
}

/**
 * Inserts one whole row of `table` through a statement prepared once per
 * connection: the caller gives every column (null where there is none), so the
 * row it built is the row stored and no `RETURNING` is needed.
 */
export function preparedInsert<T extends SQLiteTable>(table: T) {
  const columns = Object.keys(getTableColumns(table));
  const insert = prepared((db) => db.insert(table).values(Object.fromEntries(columns.map((c) => [c, sql.placeholder(c)])) as never).prepare());
  return (db: Executor, row: InferSelectModel<T>) => insert(db).run(row as Record<string, unknown>);
}

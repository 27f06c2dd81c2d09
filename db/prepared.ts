import { getTableColumns, getTableName, sql, type InferSelectModel } from 'drizzle-orm';
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

/**
 * Inserts whole rows of `table` (every column given, as `preparedInsert` takes them) in one
 * statement whatever their number: the rows go as one JSON array bound to one parameter and
 * SQLite unpacks them (`json_each`). Binding a value per column and row through drizzle costs
 * more than the insert itself; one parameter costs one `JSON.stringify`. Each value is first
 * turned into what the column stores (`mapToDriverValue`: JSON text, integer times, 0/1).
 * One row goes through `preparedInsert`, which is cheaper for one (most commands emit one event).
 */
export function insertMany<T extends SQLiteTable>(table: T) {
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, column]) => `"${column.name}"`).join(', ');
  const picks = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ');
  const insertOne = preparedInsert(table);
  const head = sql.raw(`insert into "${getTableName(table)}" (${names}) select ${picks} from json_each(`);
  return async (db: Executor, rows: readonly InferSelectModel<T>[]) => {
    if (rows.length === 0) return;
    if (rows.length === 1) return void (await insertOne(db, rows[0]!));
    const values = rows.map((row) =>
      columns.map(([key, column]) => {
        const value = (row as Record<string, unknown>)[key];
        return value === null || value === undefined ? null : column.mapToDriverValue(value);
      }),
    );
    await db.run(sql`${head}${JSON.stringify(values)})`);
  };
}

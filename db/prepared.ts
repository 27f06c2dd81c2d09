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

/** How many rows one prepared multi-row insert carries: a few hundred bound values, well under SQLite's limit. */
const ROWS_PER_INSERT = 50;

/**
 * Inserts whole rows of `table` (every column given, as `preparedInsert` takes them) in
 * multi-row statements prepared once per connection and row count: one statement per
 * ROWS_PER_INSERT rows instead of one per row, and no SQL built per call (drizzle builds a
 * many-row insert's SQL anew on every call, which costs more than running it).
 */
export function preparedInsertMany<T extends SQLiteTable>(table: T) {
  const columns = Object.keys(getTableColumns(table));
  // The placeholder of row r's column c is names[r][c], named once.
  const names = Array.from({ length: ROWS_PER_INSERT }, (_, r) => columns.map((c) => `${c}_${r}`));
  const bySize = new Map<number, (db: Executor) => { run(values: Record<string, unknown>): Promise<unknown> }>();
  const statement = (size: number) => {
    let build = bySize.get(size);
    if (!build) {
      const rows = names.slice(0, size).map((row) => Object.fromEntries(columns.map((c, i) => [c, sql.placeholder(row[i]!)])));
      bySize.set(size, (build = prepared((db) => db.insert(table).values(rows as never).prepare() as unknown as { run(values: Record<string, unknown>): Promise<unknown> })));
    }
    return build;
  };
  return async (db: Executor, rows: readonly InferSelectModel<T>[]) => {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const size = Math.min(ROWS_PER_INSERT, rows.length - start);
      const values: Record<string, unknown> = {};
      for (let r = 0; r < size; r++) {
        const row = rows[start + r] as Record<string, unknown>;
        const rowNames = names[r]!;
        for (let i = 0; i < columns.length; i++) values[rowNames[i]!] = row[columns[i]!];
      }
      await statement(size)(db).run(values);
    }
  };
}

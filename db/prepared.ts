import { DrizzleError, getTableColumns, getTableName, sql, type InferSelectModel } from 'drizzle-orm';
import { MAX_BOUND_PARAMETERS } from './chunks.ts';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Executor } from './database.ts';

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

/** What `insertMany` needs of drizzle's session: a statement from its SQL text and values, run once. */
type Session = { prepareOneTimeQuery(query: { sql: string; params: unknown[] }, fields: undefined, method: 'run', arrayMode: boolean): { run(): unknown } };

/**
 * The drizzle session under `db` when its statements run synchronously (a local file, a Durable
 * Object): there a statement costs microseconds and no round trip, so several small ones cost
 * less than one large one. Undefined on an asynchronous driver (remote libSQL), where each
 * statement is a round trip.
 */
function synchronousSession(db: Executor): Session | undefined {
  const inner = db as unknown as { resultKind?: string; session?: Session };
  return inner.resultKind === 'sync' ? inner.session : undefined;
}

/** Marks a database handle with the bound parameters one of its statements may carry, where more than the portable 100 (a local file: SQLite's 32,766). */
export const withMaxParameters = <T extends object>(db: T, maxParameters: number): T => Object.assign(db, { [MAX_PARAMETERS]: maxParameters });
const MAX_PARAMETERS = Symbol('maxParameters');
const maxParametersOf = (db: Executor): number => (db as unknown as { [MAX_PARAMETERS]?: number })[MAX_PARAMETERS] ?? MAX_BOUND_PARAMETERS;

/** Most rows one multi-row insert carries: past about 50, larger statements gain little and each row count is a statement compiled and kept. */
const MAX_ROWS_PER_STATEMENT = 50;

/**
 * Inserts whole rows of `table` (every column given, as `preparedInsert` takes them) in few
 * statements whatever their number, in the caller's transaction. Each value is first turned into
 * what the column stores (`mapToDriverValue`: JSON text, integer times, 0/1); no value is bound
 * through drizzle's query builder, which costs more per value than the insert itself.
 *
 * On a synchronous driver the rows go as multi-row `VALUES` lists of as many rows as fit in the
 * statement's bound parameters (the portable 100 unless the handle says more: `withMaxParameters`;
 * at most 50 rows), through the session's one-off statement (text and values as they are): SQLite
 * binds them directly, about half the database's work of unpacking a JSON array.
 * On an asynchronous one, where each statement is a round trip, they go as one JSON array bound to
 * one parameter and unpacked by SQLite (`json_each`). Either way a failure throws and the caller's
 * transaction (or savepoint) rolls back, with whatever statements of the call had run.
 * One row goes through `preparedInsert`, which is cheaper for one (most commands emit one event).
 */
export function insertMany<T extends SQLiteTable>(table: T) {
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, column]) => `"${column.name}"`).join(', ');
  const picks = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ');
  const insertOne = preparedInsert(table);
  const head = sql.raw(`insert into "${getTableName(table)}" (${names}) select ${picks} from json_each(`);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  // The statement for n rows, its text built once per n (at most MAX_ROWS_PER_STATEMENT texts).
  const valuesFor: string[] = [];
  const valuesText = (n: number) => (valuesFor[n] ??= `insert into "${getTableName(table)}" (${names}) values ${Array.from({ length: n }, () => tuple).join(', ')}`);
  const toDriver = (row: InferSelectModel<T>, into: unknown[]) => {
    for (const [key, column] of columns) {
      const value = (row as Record<string, unknown>)[key];
      into.push(value === null || value === undefined ? null : column.mapToDriverValue(value));
    }
    return into;
  };
  return async (db: Executor, rows: readonly InferSelectModel<T>[]) => {
    if (rows.length === 0) return;
    if (rows.length === 1) return void (await insertOne(db, rows[0]!));
    const session = synchronousSession(db);
    if (!session) return void (await db.run(sql`${head}${JSON.stringify(rows.map((row) => toDriver(row, [])))})`));
    const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(maxParametersOf(db) / columns.length)));
    for (let i = 0; i < rows.length; i += perStatement) {
      const end = Math.min(rows.length, i + perStatement);
      const params: unknown[] = [];
      for (let r = i; r < end; r++) toDriver(rows[r]!, params);
      const text = valuesText(end - i);
      try {
        await session.prepareOneTimeQuery({ sql: text, params }, undefined, 'run', false).run();
      } catch (cause) {
        // As drizzle's own `run` reports a failed statement.
        throw new DrizzleError({ cause, message: `Failed to run the query '${text}'` });
      }
    }
  };
}

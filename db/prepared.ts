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

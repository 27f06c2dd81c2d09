import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteSelect } from 'drizzle-orm/sqlite-core';
import * as v from 'valibot';
import { validationError } from '../src/kernel/errors.ts';

/** `limit` and `cursor` query parameters shared by every list. */
export const pageQuery = {
  limit: v.optional(
    v.pipe(
      v.string(),
      v.digits('must be a whole number'),
      // The document describes the parsed value (a query string carries its digits); no pattern on an integer.
      v.metadata({ type: 'integer', minimum: 1, maximum: 100, pattern: undefined }),
      v.transform(Number),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(100, 'must be at most 100'),
    ),
    '20',
  ),
  /** What `encodeCursor` writes: unpadded base64. */
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]{1,200}$/, 'must be a cursor from next_cursor'), v.metadata({ format: 'byte' }))),
};

/** The envelope of every list response. */
export const pageSchema = <T extends v.GenericSchema>(item: T) =>
  v.object({ data: v.array(item), next_cursor: v.nullable(v.string()), has_more: v.boolean() });

/** What a caller asks of a list: how many rows, after which cursor. */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** One page of a list, as every list endpoint answers it. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

/** The opaque cursor for a key: base64 of its JSON, padding dropped. */
export const encodeCursor = (key: string | number) => btoa(JSON.stringify(key)).replace(/=+$/, '');

/** Decodes a cursor; undefined for none. Throws a validation error naming `cursor` when malformed. */
export function decodeCursor<K extends 'string' | 'number'>(cursor: string | undefined, kind: K): (K extends 'string' ? string : number) | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(atob(cursor));
    if (typeof key === kind) return key as K extends 'string' ? string : number;
  } catch {
    // fall through to the validation error
  }
  throw invalidCursor();
}

/** The validation error of a cursor this list did not hand out. */
export const invalidCursor = () => validationError([{ field: 'cursor', message: 'is not a cursor returned by this list' }]);

/** An equality filter on `column`, left out (undefined) when no value was asked for: absent or empty (`?status=`). */
export const filterBy = <C extends SQLiteColumn>(column: C, value: C['_']['data'] | undefined): SQL | undefined =>
  value === undefined || (value as unknown) === '' ? undefined : eq(column, value);

/** How one list pages: its keyset, its filters and how a page of rows is presented. */
export interface ListSpec<Row, T> {
  /** A unique column (or expression) the list is ordered by; ids are time-ordered, so `desc` is newest first. */
  key: SQLiteColumn | SQL;
  /** The key of a row, handed out (encoded) as the next cursor. */
  keyOf: (row: Row) => string | number;
  /** `desc` (the default) or `asc`. */
  order?: 'asc' | 'desc';
  /** Conditions every row meets; undefined entries (filters not asked for) are left out. */
  where?: (SQL | undefined)[];
  /** Reads the cursor into a key; by default a string key, such as an id. */
  decodeKey?: (cursor: string | undefined) => string | number | undefined;
  /** The page's rows (at most `limit`) as the API shows them; may read more in one query for all of them. */
  present: (rows: Row[]) => T[] | Promise<T[]>;
}

type RowOf<Q extends SQLiteSelect> = Awaited<Q> extends (infer R)[] ? R : never;

/**
 * The one keyset list query: `select` filtered by `where` and, past the cursor, by the
 * key (`<` when descending, `>` when ascending), ordered by the key, `limit + 1` rows.
 * The extra row only says whether there is more; the next cursor is the last key returned.
 * `select` is a dynamic drizzle select (`db.select().from(table).$dynamic()`, joins allowed).
 */
export async function listPage<Q extends SQLiteSelect, T>(select: Q, page: PageRequest, spec: ListSpec<RowOf<Q>, T>): Promise<Page<T>> {
  const after = (spec.decodeKey ?? ((cursor) => decodeCursor(cursor, 'string')))(page.cursor);
  const descending = (spec.order ?? 'desc') === 'desc';
  const past = after === undefined ? undefined : descending ? sql`${spec.key} < ${after}` : sql`${spec.key} > ${after}`;
  const rows = (await select
    .where(and(past, ...(spec.where ?? [])))
    .orderBy(descending ? desc(spec.key) : asc(spec.key))
    .limit(page.limit + 1)) as RowOf<Q>[];
  const hasMore = rows.length > page.limit;
  const items = hasMore ? rows.slice(0, page.limit) : rows;
  const last = items.at(-1);
  return {
    data: await spec.present(items),
    next_cursor: hasMore && last !== undefined ? encodeCursor(spec.keyOf(last)) : null,
    has_more: hasMore,
  };
}

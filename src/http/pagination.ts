import * as v from 'valibot';
import { validationError } from '../kernel/errors.ts';

/** `limit` and `cursor` query parameters shared by every list. */
export const pageQuery = {
  limit: v.optional(
    v.pipe(v.string(), v.digits('must be a whole number'), v.transform(Number), v.minValue(1), v.maxValue(100)),
    '20',
  ),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
};

/** The envelope of every list response. */
export const pageSchema = <T extends v.GenericSchema>(item: T) =>
  v.object({ data: v.array(item), next_cursor: v.nullable(v.string()), has_more: v.boolean() });

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

/**
 * Keyset pagination: fetch `limit + 1` rows ordered by the key; the extra row
 * only says whether there is more. The cursor is the last key returned.
 */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => string | number, render: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return {
    data: items.map(render),
    next_cursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
    has_more: hasMore,
  };
}

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
  throw validationError([{ field: 'cursor', message: 'is not a cursor returned by this list' }]);
}

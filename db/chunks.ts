/**
 * Bound parameters one statement may carry on every database this code runs on:
 * a Durable Object's SQLite allows 100. Lists of ids longer than a statement takes
 * are split into several statements; the database says how many it takes
 * (`Database.maxParameters`), and hot paths (the relay) size their statements by it.
 */
export const MAX_BOUND_PARAMETERS = 100;

/** SQLite's own limit (SQLITE_MAX_VARIABLE_NUMBER), which local libSQL files and libSQL servers keep. */
export const SQLITE_MAX_PARAMETERS = 32_766;

/** Room left for a statement's other parameters when a list of ids fills the rest. */
const ROOM = 10;

/** How many ids one statement takes on a database allowing `maxParameters`, leaving room for the others. */
export const idsPerStatement = (maxParameters = MAX_BOUND_PARAMETERS) => maxParameters - ROOM;

/** Splits a list into parts of at most `size` (by default as many ids as one portable statement takes). */
export function chunks<T>(items: readonly T[], size = idsPerStatement()): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

/** Runs `query` for each part of `ids` (see `chunks`) and concatenates the rows, in the parts' order. */
export async function inChunks<T, R>(ids: readonly T[], query: (part: T[]) => Promise<R[]>, size?: number): Promise<R[]> {
  const rows: R[] = [];
  for (const part of chunks(ids, size)) rows.push(...(await query(part)));
  return rows;
}

/** Runs `statement` for each part of `ids` (see `chunks`), one after another. */
export async function forEachChunk<T>(ids: readonly T[], statement: (part: T[]) => Promise<unknown>, size?: number): Promise<void> {
  for (const part of chunks(ids, size)) await statement(part);
}

import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { meters } from '../../db/schema/index.ts';
import { conflict, notFound } from '../kernel/errors.ts';
import type { MeterRow } from './present.ts';

/** Reads a meter by its code or fails with not_found. */
export async function loadMeter(db: Executor, code: string): Promise<MeterRow> {
  const [row] = await db.select().from(meters).where(eq(meters.code, code));
  if (!row) throw notFound('Meter', code);
  return row;
}

/** Refuses a change to the built-in meter (409): usage has always been priced by it. */
export function refuseBuiltIn(row: MeterRow, what: string): void {
  if (row.builtIn) throw conflict(`meter ${row.code} is built in; it cannot be ${what}`, { code: row.code, built_in: true });
}

/** True when a SQLite error is the unique index on meter codes. */
export const isDuplicateMeterCode = (error: unknown) => String((error as { cause?: unknown })?.cause ?? error).includes('meters.code');

import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { meters } from '../../db/schema/index.ts';
import type { ListMetersQuery } from './contract.ts';
import { loadMeter } from './load.ts';
import { toMeterResource } from './present.ts';

/** Meters, newest first, filtered by `status`, one keyset page at a time. */
export function listMeters(db: Executor, query: ListMetersQuery) {
  return listPage(db.select().from(meters).$dynamic(), query, {
    key: meters.id,
    keyOf: (r) => r.id,
    where: [filterBy(meters.status, query.status)],
    present: (rows) => rows.map((r) => toMeterResource(r)),
  });
}

/** One meter by its code; 404 when none has it. */
export async function getMeter(db: Executor, code: string) {
  return toMeterResource(await loadMeter(db, code));
}

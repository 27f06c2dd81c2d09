import { isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { listPage, type PageRequest } from '../../db/paging.ts';
import { testClocks } from '../../db/schema/index.ts';
import { customersOn, loadTestClock } from './load.ts';
import { toTestClockResource } from './present.ts';

/** Test clocks that were not deleted, newest first, one keyset page at a time. */
export function listTestClocks(db: Executor, page: PageRequest) {
  return listPage(db.select().from(testClocks).$dynamic(), page, {
    key: testClocks.id,
    keyOf: (r) => r.id,
    where: [isNull(testClocks.deletedAt)],
    present: (rows) => Promise.all(rows.map(async (r) => toTestClockResource(r, await customersOn(db, r.id)))),
  });
}

/** One test clock; 404 when it does not exist or was deleted. */
export async function getTestClock(db: Executor, id: string) {
  return toTestClockResource(await loadTestClock(db, id), await customersOn(db, id));
}

import { and, count, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers, testClocks } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import type { TestClockRow } from './present.ts';

/** A test clock that was not deleted; 404 otherwise. */
export async function loadTestClock(db: Executor, id: string): Promise<TestClockRow> {
  const [row] = await db.select().from(testClocks).where(and(eq(testClocks.id, id), isNull(testClocks.deletedAt)));
  if (!row) throw notFound('Test clock', id);
  return row;
}

/** How many customers live on a clock (index customers_test_clock). */
export async function customersOn(db: Executor, id: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(customers).where(eq(customers.testClockId, id));
  return row?.n ?? 0;
}

import { eq, isNotNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers, subscriptions, testClocks } from '../../db/schema/index.ts';
import { frozenClock, type Clock } from '../kernel/clock.ts';
import { validationError } from '../kernel/errors.ts';

/**
 * The ids of sandbox customers (those on a test clock), as a subquery through the partial
 * index customers_test_clock: the live billing pass and the reports leave them out.
 */
export const sandboxCustomerIds = (db: Executor) => db.select({ id: customers.id }).from(customers).where(isNotNull(customers.testClockId));

/** The ids of one test clock's customers, as a subquery. */
export const customerIdsOnClock = (db: Executor, testClockId: string) => db.select({ id: customers.id }).from(customers).where(eq(customers.testClockId, testClockId));

/** The time a sandbox customer lives at: its test clock's `frozen_time`; null for a live customer (or none). */
export async function testClockTimeOf(db: Executor, customerId: string): Promise<number | null> {
  const [row] = await db
    .select({ frozenTime: testClocks.frozenTime })
    .from(customers)
    .innerJoin(testClocks, eq(testClocks.id, customers.testClockId))
    .where(eq(customers.id, customerId));
  return row?.frozenTime ?? null;
}

/**
 * The context a verb acting on one customer runs in: the same, except that a sandbox
 * customer's clock is its test clock's time, so subscribing, changing plan, cancelling,
 * recording usage, finalizing, voiding and paying, the customer's own changes and what the
 * workers do on its events happen when the simulation says.
 * A live customer's context is returned as it is.
 */
export async function onCustomerClock<C extends { db: Executor; tx?: Executor | undefined; clock: Clock }>(ctx: C, customerId: string): Promise<C> {
  const frozen = await testClockTimeOf(ctx.tx ?? ctx.db, customerId);
  return frozen === null ? ctx : { ...ctx, clock: frozenClock(frozen) };
}

/** `onCustomerClock` for a verb that starts from a subscription: the clock of the subscription's customer. */
export async function onSubscriptionClock<C extends { db: Executor; tx?: Executor | undefined; clock: Clock }>(ctx: C, subscriptionId: string): Promise<C> {
  const [row] = await (ctx.tx ?? ctx.db)
    .select({ frozenTime: testClocks.frozenTime })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .innerJoin(testClocks, eq(testClocks.id, customers.testClockId))
    .where(eq(subscriptions.id, subscriptionId));
  return row ? { ...ctx, clock: frozenClock(row.frozenTime) } : ctx;
}

/**
 * `onCustomerClock` for a customer row the verb has already loaded: a live customer's context
 * comes back as it is without a query; a sandbox customer's clock is its test clock's time.
 */
export async function onClockOf<C extends { db: Executor; tx?: Executor | undefined; clock: Clock }>(ctx: C, customer: { testClockId: string | null }): Promise<C> {
  if (customer.testClockId === null) return ctx;
  const [row] = await (ctx.tx ?? ctx.db).select({ frozenTime: testClocks.frozenTime }).from(testClocks).where(eq(testClocks.id, customer.testClockId));
  return row ? { ...ctx, clock: frozenClock(row.frozenTime) } : ctx;
}

/**
 * Refuses (400, naming `test_clock_id`) a test clock that does not exist or was deleted: no new customer goes onto it.
 * Answers the clock's time, at which its new customer is onboarded.
 */
export async function assertTestClockOpen(db: Executor, testClockId: string): Promise<number> {
  const [row] = await db.select({ deletedAt: testClocks.deletedAt, frozenTime: testClocks.frozenTime }).from(testClocks).where(eq(testClocks.id, testClockId));
  if (!row) throw validationError([{ field: 'test_clock_id', message: `test clock ${testClockId} does not exist` }]);
  if (row.deletedAt !== null) throw validationError([{ field: 'test_clock_id', message: `test clock ${testClockId} was deleted` }]);
  return row.frozenTime;
}

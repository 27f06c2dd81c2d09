import { eq } from 'drizzle-orm';
import { testClocks } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import type { TestClockResource } from './contract.ts';
import { customersOn, loadTestClock } from './load.ts';
import { toTestClockResource, toTestClockSnapshot } from './present.ts';

/**
 * Deletes a test clock (409 while it is advancing). Its customers are archived with it:
 * they stay sandbox customers, frozen at the clock's last time, never billed by the live
 * pass and never counted in reports, and no new customer can join the clock. The row is
 * kept (with `deleted_at`) because they point at it. Emits `test_clock.deleted`.
 */
export function deleteTestClock(ctx: Ctx, id: string): Promise<TestClockResource> {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadTestClock(ctx.tx, id);
    if (current.status === 'advancing') throw conflict(`test clock ${id} is advancing; delete it once the advance is done`, { status: current.status });
    const now = ctx.clock.now();
    const [row] = await ctx.tx.update(testClocks).set({ deletedAt: now, updatedAt: now, version: current.version + 1 }).where(eq(testClocks.id, id)).returning();
    const archived = await customersOn(ctx.tx, id);
    await emit(ctx, [{ type: 'test_clock.deleted', subject: id, data: { test_clock: toTestClockSnapshot(row!), archived_customers: archived } }]);
    await recordAudit(ctx, { action: 'test_clock.delete', targetType: 'test_clock', targetId: id, data: { archived_customers: archived } });
    return toTestClockResource(row!, archived);
  });
}

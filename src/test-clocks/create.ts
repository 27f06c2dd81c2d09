import { testClocks } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import type { CreateTestClockInput, TestClockResource } from './contract.ts';
import { toTestClockResource, toTestClockSnapshot, type TestClockRow } from './present.ts';

/** Creates a test clock at `frozen_time`, with no customers yet. Emits `test_clock.created`. */
export function createTestClock(ctx: Ctx, input: CreateTestClockInput): Promise<TestClockResource> {
  return withTransaction(ctx, async (ctx) => {
    const now = ctx.clock.now();
    const row: TestClockRow = {
      id: newId('clk', now),
      name: input.name,
      frozenTime: Date.parse(input.frozen_time),
      status: 'ready',
      advancingTo: null,
      version: 1,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await ctx.tx.insert(testClocks).values(row);
    await emit(ctx, [{ type: 'test_clock.created', subject: row.id, data: { test_clock: toTestClockSnapshot(row) } }]);
    await recordAudit(ctx, { action: 'test_clock.create', targetType: 'test_clock', targetId: row.id, data: { name: row.name, frozen_time: input.frozen_time } });
    return toTestClockResource(row, 0);
  });
}

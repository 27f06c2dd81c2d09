import { eq } from 'drizzle-orm';
import { meters } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { MeterResource } from './contract.ts';
import { loadMeter, refuseBuiltIn } from './load.ts';
import { toMeterResource, toMeterSnapshot } from './present.ts';

/**
 * active → archived: the meter keeps its definition and stays readable (usage already
 * measured by it still means something), but takes no new prices. Archiving twice is a 409;
 * the built-in meter is never archived (409). Emits `meter.archived`.
 */
export function archiveMeter(ctx: Ctx, code: string): Promise<MeterResource> {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadMeter(ctx.tx, code);
    refuseBuiltIn(current, 'archived');
    if (current.status !== 'active') throw new DomainError('invalid_transition', `cannot archive a meter that is ${current.status}`, { current_status: current.status, transition: 'archive' });
    const now = ctx.clock.now();
    const [row] = await ctx.tx.update(meters).set({ status: 'archived', archivedAt: now, updatedAt: now }).where(eq(meters.id, current.id)).returning();
    await emit(ctx, [{ type: 'meter.archived', subject: row!.id, data: { meter: toMeterSnapshot(row!) } }]);
    await recordAudit(ctx, { action: 'meter.archive', targetType: 'meter', targetId: row!.id, data: { code } });
    return toMeterResource(row!);
  });
}

import { eq } from 'drizzle-orm';
import { meters } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { MeterResource, UpdateMeterInput } from './contract.ts';
import { loadMeter, refuseBuiltIn } from './load.ts';
import { toMeterResource, toMeterSnapshot } from './present.ts';

/**
 * Renames a meter or changes its description; what it measures never changes (a new meter
 * does). Archived meters cannot change (409). A patch that changes nothing emits nothing.
 * Emits `meter.updated` naming the changed fields.
 */
export function updateMeter(ctx: Ctx, code: string, patch: UpdateMeterInput): Promise<MeterResource> {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadMeter(ctx.tx, code);
    refuseBuiltIn(current, 'changed');
    if (current.status !== 'active') throw new DomainError('invalid_transition', `meter ${code} is ${current.status}; it cannot change`, { current_status: current.status });
    const next = {
      name: patch.name ?? current.name,
      description: patch.description === undefined ? current.description : patch.description || null,
    };
    const changed = (['name', 'description'] as const).filter((field) => next[field] !== current[field]);
    if (changed.length === 0) return toMeterResource(current);
    const [row] = await ctx.tx.update(meters).set({ ...next, updatedAt: ctx.clock.now() }).where(eq(meters.id, current.id)).returning();
    await emit(ctx, [{ type: 'meter.updated', subject: row!.id, data: { meter: toMeterSnapshot(row!), changed: [...changed] } }]);
    await recordAudit(ctx, { action: 'meter.update', targetType: 'meter', targetId: row!.id, data: { code, changed } });
    return toMeterResource(row!);
  });
}

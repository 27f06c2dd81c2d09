import { eq } from 'drizzle-orm';
import { meters } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { CreateMeterInput, MeterResource } from './contract.ts';
import { isDuplicateMeterCode } from './load.ts';
import { toMeterResource, toMeterSnapshot, type MeterRow } from './present.ts';

const duplicate = (code: string, existing?: string) => conflict(`a meter with code ${code} already exists`, { field: 'code', ...(existing ? { existing_id: existing } : {}) });

/** Creates an active meter; its code names it for good. Emits `meter.created`. */
export function createMeter(ctx: Ctx, input: CreateMeterInput): Promise<MeterResource> {
  return withTransaction(ctx, async (ctx) => {
    const [taken] = await ctx.tx.select({ id: meters.id }).from(meters).where(eq(meters.code, input.code));
    if (taken) throw duplicate(input.code, taken.id);
    const now = ctx.clock.now();
    const row: MeterRow = {
      id: newId('mtr', now),
      code: input.code,
      name: input.name,
      description: input.description || null,
      aggregation: input.aggregation,
      valueProperty: input.value_property ?? null,
      groupBy: input.group_by,
      status: 'active',
      builtIn: false,
      archivedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await ctx.tx.insert(meters).values(row).catch((error) => {
      throw isDuplicateMeterCode(error) ? duplicate(input.code) : error;
    });
    await emit(ctx, [{ type: 'meter.created', subject: row.id, data: { meter: toMeterSnapshot(row) } }]);
    await recordAudit(ctx, { action: 'meter.create', targetType: 'meter', targetId: row.id, data: { code: row.code, aggregation: row.aggregation } });
    return toMeterResource(row);
  });
}

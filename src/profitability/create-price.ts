import { and, eq, max } from 'drizzle-orm';
import { modelPrices } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import type { CreateModelPriceInput } from './contract.ts';
import { toModelPriceResource } from './present.ts';

/**
 * Adds a version of a model's cost in a currency (n + 1 of that model and currency);
 * earlier versions never change. Emits `model_price.created`; audited.
 */
export function createModelPrice(ctx: Ctx, input: CreateModelPriceInput) {
  return withTransaction(ctx, async (ctx) => {
    const now = ctx.clock.now();
    const [last] = await ctx.tx
      .select({ version: max(modelPrices.version) })
      .from(modelPrices)
      .where(and(eq(modelPrices.model, input.model), eq(modelPrices.currency, input.currency)));
    const [row] = await ctx.tx
      .insert(modelPrices)
      .values({
        id: newId('mpr', now),
        model: input.model,
        currency: input.currency,
        version: (last?.version ?? 0) + 1,
        costPer1kMicros: input.cost_per_1k_micros,
        effectiveFrom: Date.parse(input.effective_from),
        createdAt: now,
      })
      .returning();
    const price = toModelPriceResource(row!);
    await emit(ctx, [{ type: 'model_price.created', subject: price.id, data: { model_price: price } }]);
    await recordAudit(ctx, { action: 'model_price.create', targetType: 'model_price', targetId: price.id, data: { model: price.model, currency: price.currency, version: price.version, cost_per_1k_micros: price.cost_per_1k_micros, effective_from: price.effective_from } });
    return price;
  });
}

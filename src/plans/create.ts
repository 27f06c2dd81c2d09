import { eq } from 'drizzle-orm';
import { plans } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict, validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { isDuplicateCode } from './load.ts';
import { toPlanResource, toPlanSnapshot } from './present.ts';
import type { CreatePlanInput } from './contract.ts';
import { otherPrices } from './terms.ts';
import { insertPlanVersion } from './versions.ts';
import { checkChargeTerms, storedCharges } from './charges.ts';

type Optional = 'entitlements' | 'charges' | 'seat_price';

/** Creates an active plan at version 1. Emits `plan.created`. */
export function createPlan(ctx: Ctx, input: Omit<CreatePlanInput, Optional> & Partial<Pick<CreatePlanInput, Optional>>) {
  return withTransaction(ctx, async (ctx) => {
    const [taken] = await ctx.tx.select({ id: plans.id }).from(plans).where(eq(plans.code, input.code));
    if (taken) throw conflict(`a plan with code ${input.code} already exists`, { field: 'code', existing_id: taken.id });

    const { code, entitlements = [], charges = [], seat_price = 0, ...rest } = input;
    const { defaults, others: prices } = otherPrices({ ...rest, seat_price }, rest.prices);
    const terms = { ...rest, price_amount: defaults.price_amount, overage_price_per_1k: defaults.overage_price_per_1k, seat_price: defaults.seat_price, entitlements, charges: storedCharges(charges) };
    await checkChargeTerms(ctx.tx, { ...terms, prices }, charges);

    const now = ctx.clock.now();
    const [plan] = await ctx.tx
      .insert(plans)
      .values({ id: newId('pln', now), code, currentVersion: 1, status: 'active', createdAt: now, updatedAt: now })
      .returning()
      .catch((error) => {
        throw isDuplicateCode(error) ? conflict(`a plan with code ${code} already exists`, { field: 'code' }) : error;
      });
    const { version, prices: stored } = await insertPlanVersion(ctx, plan!.id, 1, { ...terms, prices });

    await emit(ctx, [{ type: 'plan.created', subject: plan!.id, data: { plan: toPlanSnapshot(plan!, version, stored) } }]);
    await recordAudit(ctx, { action: 'plan.create', targetType: 'plan', targetId: plan!.id, data: { code, version: 1 } });
    return toPlanResource(plan!, version, stored);
  });
}

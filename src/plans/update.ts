import { eq } from 'drizzle-orm';
import { plans } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError, validationError } from '../kernel/errors.ts';
import { loadPlan, loadPlanPrices, loadPlanVersion } from './load.ts';
import { toPlanResource, toPlanSnapshot, toPlanTerms } from './present.ts';
import type { UpdatePlanInput } from './contract.ts';
import { applyTerms, canChangeTerms, changedTerms, otherPrices, type PlanTerms } from './terms.ts';
import { insertPlanVersion } from './versions.ts';
import { checkChargeTerms, storedCharges } from './charges.ts';

/**
 * Changes a plan's terms by writing a new version; the old one stays as it was
 * for subscriptions already on it. Emits `plan.updated` naming the changed
 * terms. A patch that changes nothing makes no version and no event.
 */
export function updatePlan(ctx: Ctx, id: string, patch: UpdatePlanInput) {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadPlan(ctx.tx, id);
    if (!canChangeTerms(current.status)) {
      throw new DomainError('invalid_transition', `plan ${id} is ${current.status}; it cannot change`, { current_status: current.status });
    }
    const currentVersion = await loadPlanVersion(ctx.tx, id, current.currentVersion);
    const currentPrices = await loadPlanPrices(ctx.tx, id, current.currentVersion);
    const terms = toPlanTerms(currentVersion, currentPrices);
    const stored = withOtherPrices(terms, patch);
    const changed = changedTerms(terms, stored);
    if (changed.length === 0) return toPlanResource(current, currentVersion, currentPrices);

    const nextTerms = applyTerms(terms, stored);
    await checkChargeTerms(ctx.tx, nextTerms, patch.charges ?? null, patch.entitlements !== undefined);
    const next = current.currentVersion + 1;
    const { version, prices } = await insertPlanVersion(ctx, id, next, nextTerms);
    const [plan] = await ctx.tx
      .update(plans)
      .set({ currentVersion: next, updatedAt: ctx.clock.now() })
      .where(eq(plans.id, id))
      .returning();

    await emit(ctx, [{ type: 'plan.updated', subject: id, data: { plan: toPlanSnapshot(plan!, version, prices), previous_version: current.currentVersion, changed } }]);
    await recordAudit(ctx, { action: 'plan.update', targetType: 'plan', targetId: id, data: { changed, version: next, previous_version: current.currentVersion } });
    return toPlanResource(plan!, version, prices);
  });
}

/**
 * The patch with `prices` as stored: in a sent map, the default currency's entry sets the
 * default price and the others replace the other-currency prices; without one, the current
 * other-currency prices stay, except one in a new default currency, which the default price replaces.
 */
function withOtherPrices(current: PlanTerms, { charges, ...patch }: UpdatePlanInput): Partial<PlanTerms> {
  const defaults = {
    currency: patch.currency ?? current.currency,
    price_amount: patch.price_amount ?? current.price_amount,
    overage_price_per_1k: patch.overage_price_per_1k ?? current.overage_price_per_1k,
    seat_price: patch.seat_price ?? current.seat_price,
  };
  const withCharges = charges ? { charges: storedCharges(charges) } : {};
  if (!patch.prices) return { ...patch, ...withCharges, prices: otherPrices(defaults, current.prices).others };
  // A sent entry in the default currency is the default price (it wins over the flat terms).
  const { defaults: price, others } = otherPrices(defaults, patch.prices);
  return { ...patch, ...withCharges, price_amount: price.price_amount, overage_price_per_1k: price.overage_price_per_1k, seat_price: price.seat_price, prices: others };
}

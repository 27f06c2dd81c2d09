import { eq } from 'drizzle-orm';
import { plans } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { loadPlan, loadPlanVersion } from './load.ts';
import { toPlanResource, toPlanSnapshot, toPlanTerms } from './present.ts';
import type { UpdatePlanInput } from './contract.ts';
import { applyTerms, canChangeTerms, changedTerms } from './terms.ts';
import { insertPlanVersion } from './versions.ts';

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
    const terms = toPlanTerms(currentVersion);
    const changed = changedTerms(terms, patch);
    if (changed.length === 0) return toPlanResource(current, currentVersion);

    const next = current.currentVersion + 1;
    const version = await insertPlanVersion(ctx, id, next, applyTerms(terms, patch));
    const [plan] = await ctx.tx
      .update(plans)
      .set({ currentVersion: next, updatedAt: ctx.clock.now() })
      .where(eq(plans.id, id))
      .returning();

    await emit(ctx, [{ type: 'plan.updated', subject: id, data: { plan: toPlanSnapshot(plan!, version), previous_version: current.currentVersion, changed } }]);
    await recordAudit(ctx, { action: 'plan.update', targetType: 'plan', targetId: id, data: { changed, version: next, previous_version: current.currentVersion } });
    return toPlanResource(plan!, version);
  });
}

import { eq } from 'drizzle-orm';
import { plans } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { loadPlan, loadPlanPrices, loadPlanVersion } from './load.ts';
import { toPlanResource, toPlanSnapshot } from './present.ts';
import { archivedStatus } from './terms.ts';

/**
 * active → archived: the plan stays readable (with every version) but cannot
 * change, and is never deleted. Emits `plan.archived`.
 */
export function archivePlan(ctx: Ctx, id: string) {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadPlan(ctx.tx, id);
    const status = archivedStatus(current.status);
    if (!status) {
      throw new DomainError('invalid_transition', `cannot archive a plan that is ${current.status}`, { current_status: current.status, transition: 'archive' });
    }
    const now = ctx.clock.now();
    const [plan] = await ctx.tx.update(plans).set({ status, archivedAt: now, updatedAt: now }).where(eq(plans.id, id)).returning();
    const version = await loadPlanVersion(ctx.tx, id, plan!.currentVersion);
    const prices = await loadPlanPrices(ctx.tx, id, plan!.currentVersion);

    await emit(ctx, [{ type: 'plan.archived', subject: id, data: { plan: toPlanSnapshot(plan!, version, prices) } }]);
    await recordAudit(ctx, { action: 'plan.archive', targetType: 'plan', targetId: id });
    return toPlanResource(plan!, version, prices);
  });
}

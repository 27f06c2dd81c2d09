import { planSuggestions } from '../../db/schema/index.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import { suggestPlan } from './suggest.ts';

/** A renewal of a subscription: the customer, the subscription and the start of the period its invoice opens. */
export interface Renewal {
  customerId: string;
  subscriptionId: string;
  /** ISO 8601, as the invoice carries it. */
  periodStart: string;
}

/**
 * Looks back over the periods ended by the renewal's `periodStart`; when another plan would
 * have saved at least `suggestionMinSavingBps` of the current cost, records the suggestion
 * (one per subscription and renewal: a unique row) and emits `customer.plan_suggested`.
 * A sandbox customer's suggestion is made (and its event dated) at its test clock's time.
 */
export async function suggestOnRenewal(outer: TxCtx, renewal: Renewal): Promise<void> {
  const { customerId, subscriptionId } = renewal;
  const ctx = await onCustomerClock(outer, customerId);
  const periodStart = Date.parse(renewal.periodStart);
  const found = await suggestPlan(ctx.tx, customerId, periodStart);
  if (found.subscription_id !== subscriptionId || !found.suggested_plan || found.suggested_cost === null || found.saving <= 0) return;
  // saving / current ≥ bps / 10,000, compared in integers.
  if (found.saving * 10_000 < ctx.settings.billing.suggestionMinSavingBps * found.current_cost) return;

  const now = ctx.clock.now();
  const [row] = await ctx.tx
    .insert(planSuggestions)
    .values({ id: newId('psg', now), customerId, subscriptionId, periodStart, suggestedPlanId: found.suggested_plan.id, currency: found.currency!, currentCost: found.current_cost, suggestedCost: found.suggested_cost, saving: found.saving, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: planSuggestions.id });
  if (!row) return;
  await emit(ctx, [
    {
      type: 'customer.plan_suggested',
      subject: customerId,
      data: {
        customer_id: customerId,
        subscription_id: subscriptionId,
        period_start: renewal.periodStart,
        current_plan: found.current_plan!,
        suggested_plan: found.suggested_plan,
        currency: found.currency!,
        periods: found.periods.length,
        current_cost: found.current_cost,
        suggested_cost: found.suggested_cost,
        saving: found.saving,
        saving_bps: found.saving_bps,
      },
    },
  ]);
}

import type { EventHandler } from '../bus/consumer.ts';
import { onCustomerClock } from '../customers/clock.ts';
import type { EventData } from '../events/catalog.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import { planSuggestions } from '../../db/schema/index.ts';
import { suggestPlan } from './suggest.ts';

/**
 * Tells a customer about a cheaper plan after each renewal. For `invoice.finalized` of a
 * `subscription_cycle` invoice, looks back over the periods ended by the invoice's
 * `period_start`; when another plan would have saved at least `suggestionMinSavingBps` of
 * the current cost, records the suggestion (one per subscription and renewal: a unique row,
 * besides the inbox) and emits `customer.plan_suggested`, which the notifications group
 * emails to the customer's owner.
 */
export const suggestionsHandler: EventHandler = {
  group: 'suggestions',
  types: ['invoice.finalized'],
  async handle(outer: TxCtx, event) {
    const { invoice } = event.data as EventData<'invoice.finalized'>;
    if (invoice.billing_reason !== 'subscription_cycle' || !invoice.subscription_id) return;
    // A sandbox customer's suggestion is made (and its event dated) at its test clock's time.
    const ctx = await onCustomerClock(outer, invoice.customer_id);
    const periodStart = Date.parse(invoice.period_start);
    const found = await suggestPlan(ctx.tx, invoice.customer_id, periodStart);
    if (found.subscription_id !== invoice.subscription_id || !found.suggested_plan || found.suggested_cost === null || found.saving <= 0) return;
    // saving / current ≥ bps / 10,000, compared in integers.
    if (found.saving * 10_000 < ctx.settings.billing.suggestionMinSavingBps * found.current_cost) return;

    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .insert(planSuggestions)
      .values({ id: newId('psg', now), customerId: invoice.customer_id, subscriptionId: invoice.subscription_id, periodStart, suggestedPlanId: found.suggested_plan.id, currency: found.currency!, currentCost: found.current_cost, suggestedCost: found.suggested_cost, saving: found.saving, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: planSuggestions.id });
    if (!row) return;
    await emit(ctx, [
      {
        type: 'customer.plan_suggested',
        subject: invoice.customer_id,
        data: {
          customer_id: invoice.customer_id,
          subscription_id: invoice.subscription_id,
          period_start: invoice.period_start,
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
  },
};

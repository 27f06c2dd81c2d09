import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { usagePeriods } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { add, charge, money, type Money } from '../kernel/money.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict, DomainError } from '../kernel/errors.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { loadPlan, loadPlanVersion } from '../plans/load.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import type { SubscriptionRow } from './present.ts';
import { loadSubscription, saveSubscription } from './load.ts';
import { toSubscriptionResource, toSubscriptionSnapshot } from './present.ts';
import { storeAdjustments } from './adjustments.ts';
import { seatsAmount } from './change-seats.ts';
import { seatPriceOf } from './seat-price.ts';
import { prorate, type ProrationLine } from './proration.ts';
import type { ChangePlanInput } from './contract.ts';

const day = (ms: number) => toIso(ms).slice(0, 10);

/** `seats` names the licensed seats when the side of the change the line prices bills them. */
function describe(line: ProrationLine, oldTerms: PlanVersionRow, newTerms: PlanVersionRow, seats: { old: string; new: string }): string {
  const span = `${day(line.from)} to ${day(line.to)}`;
  return line.kind === 'proration_credit'
    ? `Unused time on ${oldTerms.name} (v${oldTerms.version})${seats.old} from ${span}`
    : `Remaining time on ${newTerms.name} (v${newTerms.version})${seats.new} from ${span}`;
}

/**
 * Refuses (422 `amount_out_of_range`) a new plan whose overage price would take the current
 * period's overage past one charge's ceiling: the period-end invoice bills it at the plan then in
 * force, so the amount enters here. A trial is never billed, so it has no limit.
 */
async function assertOverageBillable(db: Executor, sub: SubscriptionRow, terms: PlanVersionRow): Promise<void> {
  if (sub.status === 'trialing') return;
  const [usage] = await db
    .select({ usedTokens: usagePeriods.usedTokens, overageTokens: usagePeriods.overageTokens })
    .from(usagePeriods)
    .where(and(eq(usagePeriods.subscriptionId, sub.id), eq(usagePeriods.periodStart, sub.currentPeriodStart)));
  if (!usage) return;
  // What the invoice bills (counted as recorded) and what GET …/usage shows (used past the new included tokens).
  const tokens = Math.max(usage.overageTokens, usage.usedTokens - terms.includedTokens, 0);
  try {
    charge(money(terms.overagePricePer1k, terms.currency), tokens, 1000);
  } catch (error) {
    if (error instanceof DomainError) error.details.field = 'plan_id';
    throw error;
  }
}

/**
 * Moves a subscription to another active plan's current version, priced in the
 * subscription's currency (422 otherwise) and with the same interval (409 otherwise), keeping its anchor and current period.
 * Unless it is trialing (nothing was billed yet), the rest of the period is
 * prorated at the clock's now, the fee and the seats (seats × each version's seat price) together, with src/subscriptions/proration.ts and the lines
 * are stored in subscription_adjustments for the next invoice.
 * A sandbox customer's change happens at its test clock's time.
 * Emits `subscription.plan_changed` with the lines.
 */
export function changePlan(ctx: Ctx, id: string, input: ChangePlanInput) {
  return withTransaction(ctx, async (outer) => {
    const current = await loadSubscription(outer.tx, id);
    const ctx = await onCustomerClock(outer, current.customerId);
    if (current.status === 'canceled') {
      throw new DomainError('invalid_transition', 'cannot change the plan of a canceled subscription', { current_status: current.status, transition: 'change_plan' });
    }
    const plan = await loadPlan(ctx.tx, input.plan_id);
    if (plan.status !== 'active') throw conflict(`plan ${plan.id} is ${plan.status}; nobody can move to it`, { field: 'plan_id', plan_status: plan.status });
    if (plan.id === current.planId && plan.currentVersion === current.planVersion) {
      throw conflict(`subscription ${id} is already on plan ${plan.id} version ${plan.currentVersion}`, { field: 'plan_id' });
    }
    // Both at the subscription's currency: the new plan must be priced in it (422 naming plan_id otherwise).
    const oldTerms = await loadPlanVersion(ctx.tx, current.planId, current.planVersion, current.currency);
    const newTerms = await loadPlanVersion(ctx.tx, plan.id, plan.currentVersion, current.currency);
    if (oldTerms.currency !== newTerms.currency || oldTerms.interval !== newTerms.interval) {
      throw conflict(`a plan change must keep currency and interval (${oldTerms.currency}/${oldTerms.interval} → ${newTerms.currency}/${newTerms.interval})`, {
        field: 'plan_id',
        from: { currency: oldTerms.currency, interval: oldTerms.interval },
        to: { currency: newTerms.currency, interval: newTerms.interval },
      });
    }
    const now = ctx.clock.now();
    if (now < current.currentPeriodStart || now > current.currentPeriodEnd) {
      throw conflict(`the current period of ${id} ended at ${toIso(current.currentPeriodEnd)} and has not been renewed yet`, { current_period_end: toIso(current.currentPeriodEnd) });
    }
    await assertOverageBillable(ctx.tx, current, newTerms);

    // Each period bills the fee and the seats at the version's seat price: a change prorates both.
    const oldSeats = seatsAmount(await seatPriceOf(ctx.tx, current), current.seats);
    const newSeats = seatsAmount(await seatPriceOf(ctx.tx, { ...current, planId: plan.id, planVersion: newTerms.version }), current.seats);
    const withSeats = (amount: Money) => (amount.amount === 0 ? '' : ` with ${current.seats} ${current.seats === 1 ? 'seat' : 'seats'}`);
    const proration = prorate({
      oldPrice: add(money(oldTerms.priceAmount, oldTerms.currency), oldSeats),
      newPrice: add(money(newTerms.priceAmount, newTerms.currency), newSeats),
      periodStart: current.currentPeriodStart,
      periodEnd: current.currentPeriodEnd,
      changeAt: now,
    });
    // A trial has billed nothing, so there is nothing to credit or charge for its rest.
    const lines = current.status === 'trialing' ? [] : proration.lines;
    const net = current.status === 'trialing' ? money(0, newTerms.currency) : proration.net;

    const row = await saveSubscription(ctx, current, { planId: plan.id, planVersion: newTerms.version });
    const stored = await storeAdjustments(ctx, id, lines, (line) => describe(line, oldTerms, newTerms, { old: withSeats(oldSeats), new: withSeats(newSeats) }));

    const from = { plan_id: current.planId, plan_version: current.planVersion };
    const to = { plan_id: plan.id, plan_version: newTerms.version };
    await emit(ctx, [{ type: 'subscription.plan_changed', subject: id, data: { subscription: toSubscriptionSnapshot(row), from, to, proration: { lines: stored, net } } }]);
    await recordAudit(ctx, { action: 'subscription.change_plan', targetType: 'subscription', targetId: id, data: { from, to, net: net.amount, currency: net.currency } });
    return toSubscriptionResource(row);
  });
}

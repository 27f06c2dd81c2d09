import { subscriptions } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { redeemCoupon } from '../coupons/redeem.ts';
import { loadCustomer, saveCustomer } from '../customers/load.ts';
import { toCustomerSnapshot } from '../customers/present.ts';
import type { NewEvent } from '../events/catalog.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { toIso } from '../kernel/clock.ts';
import { conflict, DomainError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { loadPlan, loadPlanVersion } from '../plans/load.ts';
import { admitSubscription } from './admission.ts';
import { seatsAmount } from './change-seats.ts';
import { seatPriceOf } from './seat-price.ts';
import { initialStatus } from './lifecycle.ts';
import { periodContaining, trialEnd } from './periods.ts';
import { toSubscriptionSnapshot, type SubscriptionRow } from './present.ts';
import type { CreateSubscriptionInput } from './contract.ts';

/** Customers in these states cannot take a new subscription. */
const closedCustomer = new Set(['deactivated', 'erased']);

/**
 * Subscribes a customer to an active plan at its current version, in the customer's currency:
 * the first subscription sets it (`currency`, else the plan's default; emits `customer.updated`),
 * later ones must use it and a plan priced in it (422 naming `currency` or `plan_id`).
 * A customer holds at most `max_subscriptions` live ones and has a plan's trial once
 * (src/subscriptions/admission.ts: 409 `subscription_exists` / `trial_used`).
 * With the plan's trial (unless `trial: false`, or already used) it starts `trialing`: the trial is
 * its current period [now, now + trial days), and billing periods are anchored at
 * the trial's end. Otherwise it is anchored at now and `incomplete` until its first
 * payment: billing drafts that period's invoice in the same transaction
 * (src/billing/subscribe.ts, the verb the route calls).
 * With `seats` (default 1) it holds that many licensed seats, billed with each period's fee.
 * With `coupon`, the coupon is redeemed on it (refusals roll the subscription back).
 * Emits `subscription.created`, and `subscription.trial_started` with a trial.
 * Returns the subscription as created.
 */
export function createSubscription(ctx: Ctx, input: CreateSubscriptionInput): Promise<SubscriptionRow> {
  return withTransaction(ctx, async (ctx) => {
    const customer = await loadCustomer(ctx.tx, input.customer_id);
    if (closedCustomer.has(customer.status)) {
      throw conflict(`customer ${customer.id} is ${customer.status}; it cannot subscribe`, { field: 'customer_id', customer_status: customer.status });
    }
    const plan = await loadPlan(ctx.tx, input.plan_id);
    if (plan.status !== 'active') throw conflict(`plan ${plan.id} is ${plan.status}; nobody can subscribe to it`, { field: 'plan_id', plan_status: plan.status });
    // A customer is billed in one currency, chosen by its first subscription (the request's, else the plan's default).
    if (customer.currency && input.currency && input.currency !== customer.currency) {
      throw new DomainError('currency_mismatch', `customer ${customer.id} is billed in ${customer.currency}, not ${input.currency}`, {
        issues: [{ field: 'currency', message: `must be ${customer.currency}, the currency customer ${customer.id} is billed in` }],
        customer_currency: customer.currency,
      });
    }
    // Without a currency of either, the version's default (loadPlanVersion answers in it).
    const terms = await loadPlanVersion(ctx.tx, plan.id, plan.currentVersion, customer.currency ?? input.currency);
    const seats = input.seats ?? 1;
    // A period's seats must be billable: seats × seat price within one charge's ceiling (422 naming seats).
    seatsAmount(await seatPriceOf(ctx.tx, { id: null, planId: plan.id, planVersion: terms.version, currency: terms.currency }), seats);
    const admitted = await admitSubscription(ctx.tx, { customer, planId: plan.id, planHasTrial: terms.trialDays > 0, trial: input.trial });
    const currency = terms.currency;
    const events: NewEvent[] = [];
    if (!customer.currency) {
      const billed = await saveCustomer(ctx, customer, { currency });
      events.push({ type: 'customer.updated', subject: customer.id, data: { customer: toCustomerSnapshot(billed), changed: ['currency'] } });
    }

    const now = ctx.clock.now();
    const trialDays = admitted.trial ? terms.trialDays : 0;
    const status = initialStatus(trialDays);
    // With a trial, billing is anchored at the trial's end and the trial is a period of its own.
    const ends = trialEnd(now, trialDays);
    const period = status === 'trialing' ? { start: now, end: ends } : periodContaining(now, terms.interval, now);
    const [row] = await ctx.tx
      .insert(subscriptions)
      .values({
        id: newId('sub', now),
        customerId: customer.id,
        planId: plan.id,
        planVersion: terms.version,
        currency,
        status,
        anchor: ends,
        currentPeriodStart: period.start,
        currentPeriodEnd: period.end,
        trialEnd: status === 'trialing' ? ends : null,
        cancelAtPeriodEnd: false,
        canceledAt: null,
        createdAt: now,
        updatedAt: now,
        seats,
        version: 1,
      })
      .returning();
    const sub = row!;

    const snapshot = toSubscriptionSnapshot(sub);
    events.push({ type: 'subscription.created', subject: sub.id, data: { subscription: snapshot } });
    if (sub.trialEnd !== null) events.push({ type: 'subscription.trial_started', subject: sub.id, data: { subscription: snapshot, trial_end: toIso(sub.trialEnd) } });
    await emit(ctx, events);
    await recordAudit(ctx, { action: 'subscription.create', targetType: 'subscription', targetId: sub.id, data: { customer_id: customer.id, plan_id: plan.id, plan_version: terms.version, currency, status, seats } });
    // Before the first invoice is drafted (src/billing/subscribe.ts), so it is discounted too.
    if (input.coupon !== undefined) await redeemCoupon(ctx, sub, input.coupon);
    return sub;
  });
}

import * as v from 'valibot';
import { adjustmentKinds } from '../../db/schema/index.ts';
import { currency, iso, money, planVersion, signedMoney, subscriptionSnapshot, whole } from '../events/shapes.ts';

const prorationLine = v.object({
  id: v.string(),
  kind: v.picklist(adjustmentKinds),
  amount: signedMoney,
  from: iso,
  to: iso,
});

const planRef = v.object({ plan_id: v.string(), plan_version: planVersion });
const proration = v.object({ lines: v.array(prorationLine), net: signedMoney });
const seatCount = v.pipe(whole, v.minValue(1));
const addOnSnapshot = v.object({ id: v.string(), code: v.string(), name: v.string(), unit_amount: whole, quantity: seatCount, currency, removed_at: v.nullable(iso) });

/**
 * A subscription's own changes: created, a trial, a plan change, seats, add-ons, a cancellation, its end.
 * What billing does to it over time (renewals, payments, dunning) is in src/billing/events.ts.
 * Subject: the subscription.
 */
export const subscriptionEvents = {
  'subscription.created': v.object({ subscription: subscriptionSnapshot }),
  'subscription.trial_started': v.object({ subscription: subscriptionSnapshot, trial_end: iso }),
  'subscription.plan_changed': v.object({ subscription: subscriptionSnapshot, from: planRef, to: planRef, proration }),
  /** Licensed seats changed from `from` to `to`; `proration` is the one line for the rest of the period (none while trialing or at seat price 0). */
  'subscription.seats_changed': v.object({ subscription: subscriptionSnapshot, from: seatCount, to: seatCount, seat_price: money, proration }),
  /** An add-on was attached; `proration` charges the rest of the current period. */
  'subscription.add_on_attached': v.object({ subscription: subscriptionSnapshot, add_on: addOnSnapshot, proration }),
  /** An add-on was removed (`removed_at` set); `proration` credits the rest of the current period. */
  'subscription.add_on_removed': v.object({ subscription: subscriptionSnapshot, add_on: addOnSnapshot, proration }),
  /** Emitted when a cancellation is made: immediate, or scheduled for `effective_at` (the period end) when `at_period_end`. */
  'subscription.canceled': v.object({
    subscription: subscriptionSnapshot,
    previous_status: v.string(),
    at_period_end: v.boolean(),
    effective_at: iso,
    /** Absent on events written before dunning existed: read as `requested`. */
    reason: v.optional(v.picklist(['requested', 'dunning_exhausted', 'incomplete_expired', 'customer_erased']), 'requested'),
  }),
  /**
   * The subscription is now `canceled`: immediately on request, at its period end, when dunning gave up, or
   * (`incomplete_expired`) when an incomplete one's first invoice was never paid: dunning gave up on it, or it was voided.
   */
  'subscription.ended': v.object({ subscription: subscriptionSnapshot, reason: v.picklist(['requested', 'period_end', 'dunning_exhausted', 'incomplete_expired', 'customer_erased']) }),
} as const;

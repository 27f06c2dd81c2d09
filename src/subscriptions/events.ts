import * as v from 'valibot';
import { adjustmentKinds } from '../../db/schema/index.ts';
import { iso, planVersion, signedMoney, subscriptionSnapshot } from '../events/shapes.ts';

const prorationLine = v.object({
  id: v.string(),
  kind: v.picklist(adjustmentKinds),
  amount: signedMoney,
  from: iso,
  to: iso,
});

const planRef = v.object({ plan_id: v.string(), plan_version: planVersion });

/**
 * A subscription's own changes: created, a trial, a plan change, a cancellation, its end.
 * What billing does to it over time (renewals, payments, dunning) is in src/billing/events.ts.
 * Subject: the subscription.
 */
export const subscriptionEvents = {
  'subscription.created': v.object({ subscription: subscriptionSnapshot }),
  'subscription.trial_started': v.object({ subscription: subscriptionSnapshot, trial_end: iso }),
  'subscription.plan_changed': v.object({ subscription: subscriptionSnapshot, from: planRef, to: planRef, proration: v.object({ lines: v.array(prorationLine), net: signedMoney }) }),
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

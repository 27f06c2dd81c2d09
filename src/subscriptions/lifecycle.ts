import { billedSubscriptionStatuses, type subscriptionStatuses } from '../../db/schema/index.ts';

/**
 * The subscription lifecycle as plain data and functions:
 *
 *   start with a trial ──► trialing ──trial_converted──► active
 *   start without one  ──► incomplete ──first_payment──► active
 *   active ──renew──► active
 *   active | trialing ──payment_failed──► past_due ──payment_recovered──► active
 *   past_due ──dunning_exhausted──► canceled
 *   incomplete ──incomplete_expired──► canceled
 *   any but canceled ──cancel──► canceled (final)
 *
 * `trial_converted` is the trial's end with its first invoice paid. A failed retry while
 * past_due is not a transition: the state stays and dunning counts the attempt. An
 * incomplete subscription waits for its first payment: a failed one leaves it incomplete (it
 * never becomes past_due), and it expires (`incomplete_expired`) when dunning gives up on its
 * first invoice or that invoice is voided, as Stripe's do. Cancel at period end
 * is a flag on the subscription; the renewal at that boundary applies `cancel`.
 * Anything else is an invalid transition.
 */
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** Billed period by period (active, or past_due and still owing): renewed at each period's end. */
export const isBilled = (status: SubscriptionStatus): boolean => (billedSubscriptionStatuses as readonly SubscriptionStatus[]).includes(status);

export const subscriptionTransitions = ['first_payment', 'trial_converted', 'renew', 'payment_failed', 'payment_recovered', 'dunning_exhausted', 'incomplete_expired', 'cancel'] as const;
export type SubscriptionTransition = (typeof subscriptionTransitions)[number];

const allowed: Record<SubscriptionTransition, readonly SubscriptionStatus[]> = {
  first_payment: ['incomplete'],
  trial_converted: ['trialing'],
  renew: ['active'],
  payment_failed: ['active', 'trialing'],
  payment_recovered: ['past_due'],
  dunning_exhausted: ['past_due'],
  incomplete_expired: ['incomplete'],
  cancel: ['incomplete', 'trialing', 'active', 'past_due'],
};

const target: Record<SubscriptionTransition, SubscriptionStatus> = {
  first_payment: 'active',
  trial_converted: 'active',
  renew: 'active',
  payment_failed: 'past_due',
  payment_recovered: 'active',
  dunning_exhausted: 'canceled',
  incomplete_expired: 'canceled',
  cancel: 'canceled',
};

/** The state a new subscription starts in: trialing with trial days, otherwise incomplete until its first payment. */
export const initialStatus = (trialDays: number): SubscriptionStatus => (trialDays > 0 ? 'trialing' : 'incomplete');

/** The state after `transition`, or null when it is not allowed from `from`. */
export function nextStatus(from: SubscriptionStatus, transition: SubscriptionTransition): SubscriptionStatus | null {
  return allowed[transition].includes(from) ? target[transition] : null;
}

const onPayment: Partial<Record<SubscriptionStatus, SubscriptionTransition>> = {
  incomplete: 'first_payment',
  trialing: 'trial_converted',
  active: 'renew',
  past_due: 'payment_recovered',
};

/** Which transition a successful payment makes from `from`, or null for a canceled subscription. */
export const transitionOnPayment = (from: SubscriptionStatus): SubscriptionTransition | null => onPayment[from] ?? null;

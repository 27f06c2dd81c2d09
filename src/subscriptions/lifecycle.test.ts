import { describe, expect, test } from 'bun:test';
import { subscriptionStatuses } from '../../db/schema/index.ts';
import { initialStatus, nextStatus, type SubscriptionStatus, type SubscriptionTransition, subscriptionTransitions, transitionOnPayment } from './lifecycle.ts';

describe('subscription lifecycle', () => {
  test('starts trialing with trial days, incomplete without', () => {
    expect(initialStatus(14)).toBe('trialing');
    expect(initialStatus(1)).toBe('trialing');
    expect(initialStatus(0)).toBe('incomplete');
  });

  test('allows exactly the documented transitions', () => {
    expect(nextStatus('incomplete', 'first_payment')).toBe('active');
    expect(nextStatus('trialing', 'trial_converted')).toBe('active');
    expect(nextStatus('active', 'renew')).toBe('active');
    expect(nextStatus('active', 'payment_failed')).toBe('past_due');
    expect(nextStatus('trialing', 'payment_failed')).toBe('past_due');
    expect(nextStatus('past_due', 'payment_recovered')).toBe('active');
    expect(nextStatus('past_due', 'dunning_exhausted')).toBe('canceled');
    expect(nextStatus('incomplete', 'incomplete_expired')).toBe('canceled');
    for (const from of ['incomplete', 'trialing', 'active', 'past_due'] as const) expect(nextStatus(from, 'cancel')).toBe('canceled');
  });

  test('refuses everything else, cell by cell', () => {
    const allowed: Record<SubscriptionTransition, SubscriptionStatus[]> = {
      first_payment: ['incomplete'],
      trial_converted: ['trialing'],
      renew: ['active'],
      payment_failed: ['active', 'trialing'],
      payment_recovered: ['past_due'],
      dunning_exhausted: ['past_due'],
      incomplete_expired: ['incomplete'],
      cancel: ['incomplete', 'trialing', 'active', 'past_due'],
    };
    let refused = 0;
    for (const transition of subscriptionTransitions) {
      for (const from of subscriptionStatuses) {
        if (allowed[transition].includes(from)) continue;
        expect([from, transition, nextStatus(from, transition)]).toEqual([from, transition, null]);
        refused += 1;
      }
    }
    expect(refused).toBe(8 * 5 - 12);
  });

  test('canceled is final; a failed retry while past_due is not a transition', () => {
    for (const t of subscriptionTransitions) expect(nextStatus('canceled', t)).toBeNull();
    expect(nextStatus('past_due', 'payment_failed')).toBeNull();
    expect(nextStatus('incomplete', 'payment_failed')).toBeNull();
    expect(nextStatus('past_due', 'renew')).toBeNull();
    expect(nextStatus('trialing', 'first_payment')).toBeNull();
  });

  test('a successful payment maps to the transition for the current state', () => {
    expect(transitionOnPayment('incomplete')).toBe('first_payment');
    expect(transitionOnPayment('trialing')).toBe('trial_converted');
    expect(transitionOnPayment('active')).toBe('renew');
    expect(transitionOnPayment('past_due')).toBe('payment_recovered');
    expect(transitionOnPayment('canceled')).toBeNull();
    for (const from of subscriptionStatuses) {
      const t = transitionOnPayment(from);
      if (t) expect(nextStatus(from, t)).toBe('active');
    }
  });
});

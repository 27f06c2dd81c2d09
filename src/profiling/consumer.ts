import type { EventHandler } from '../bus/consumer.ts';
import type { EventType, KnownEvent } from '../events/catalog.ts';
import type { LoyaltyChange } from './loyalty.ts';
import { updateProfile } from './update.ts';
import { isAcceptedUsage } from '../usage/events.ts';

export const profilingTypes = [
  'customer.onboarded',
  'customer.activated',
  'subscription.created',
  'subscription.activated',
  'subscription.ended',
  'invoice.paid',
  'payment.succeeded',
  'usage.recorded',
] as const satisfies readonly EventType[];

export interface ProfilingOptions {
  /** First-payment bonus in basis points of that payment (1000 = 10 %); 0 turns it off. */
  firstPaymentBonusBps: number;
}

/**
 * What a billing or usage event adds to its customer's loyalty (`recordLoyalty`); null for an
 * event that adds nothing.
 */
function loyaltyChangeOf(event: KnownEvent): LoyaltyChange | null {
  let customerId: string;
  const change: Omit<LoyaltyChange, 'customerId'> = {};
  switch (event.type) {
    case 'invoice.paid': {
      const { invoice } = (event as KnownEvent<'invoice.paid'>).data;
      customerId = invoice.customer_id;
      change.invoicePaid = { amount: invoice.amount_paid, currency: invoice.currency };
      break;
    }
    case 'payment.succeeded': {
      const { payment } = (event as KnownEvent<'payment.succeeded'>).data;
      customerId = payment.customer_id;
      change.paymentSucceeded = { amount: payment.amount, currency: payment.currency };
      break;
    }
    case 'usage.recorded': {
      const data = (event as KnownEvent<'usage.recorded'>).data;
      // Only records we accepted count; a report under the deprecated type arrives again as one of them.
      if (!isAcceptedUsage(data)) return null;
      // Another meter's usage event counts no tokens.
      if (data.meter !== undefined && data.meter !== 'ai_tokens') return null;
      customerId = data.customer_id;
      change.usageTokens = data.tokens;
      break;
    }
    case 'subscription.created':
    case 'subscription.activated':
    case 'subscription.ended': {
      const { subscription } = (event as KnownEvent<'subscription.created'>).data;
      customerId = subscription.customer_id;
      if (event.type === 'subscription.created') change.subscribedAt = Date.parse(event.time);
      break;
    }
    default:
      return null;
  }
  return { customerId, ...change };
}

/**
 * The profiling consumer: recomputes a customer's profile from its current record
 * and its loyalty (revenue, usage, tenure), stores it, emits `customer.profiled`,
 * and promotes an active customer one step at a time up to the computed segment.
 * A customer event older than the one the stored profile reflects (by per-subject
 * sequence) is ignored. A billing or usage event updates loyalty and re-profiles,
 * emitting only when the segment or risk changed.
 */
export function createProfilingHandler(options: ProfilingOptions): EventHandler {
  return {
    group: 'profiling',
    types: profilingTypes,
    async handle(ctx, event) {
      if (event.type.startsWith('customer.')) return updateProfile(ctx, { customerId: event.subject, sequence: event.sequence }, options);
      const change = loyaltyChangeOf(event);
      if (change) await updateProfile(ctx, { customerId: change.customerId, sequence: null, loyalty: change }, options);
    },
  };
}

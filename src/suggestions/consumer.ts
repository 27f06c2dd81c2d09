import type { EventHandler } from '../bus/consumer.ts';
import type { EventData } from '../events/catalog.ts';
import { suggestOnRenewal } from './suggest-on-renewal.ts';

/**
 * Tells a customer about a cheaper plan after each renewal: for `invoice.finalized` of a
 * `subscription_cycle` invoice, `suggestOnRenewal` records a suggestion (once per subscription
 * and renewal, besides the inbox) and emits `customer.plan_suggested`, which the notifications
 * group emails to the customer's owner.
 */
export const suggestionsHandler: EventHandler = {
  group: 'suggestions',
  types: ['invoice.finalized'],
  async handle(ctx, event) {
    const { invoice } = event.data as EventData<'invoice.finalized'>;
    if (invoice.billing_reason !== 'subscription_cycle' || !invoice.subscription_id) return;
    await suggestOnRenewal(ctx, { customerId: invoice.customer_id, subscriptionId: invoice.subscription_id, periodStart: invoice.period_start });
  },
};

import * as v from 'valibot';
import { currency, iso, whole } from '../events/shapes.ts';

/** Plan suggestions (src/suggestions); subject: the customer. */
export const suggestionEvents = {
  /**
   * After a renewal, another plan would have cost the customer less over its last ended periods
   * (src/suggestions); once per subscription and renewal. Amounts are minor units of `currency`.
   */
  'customer.plan_suggested': v.object({
    customer_id: v.string(),
    subscription_id: v.string(),
    period_start: iso,
    current_plan: v.object({ id: v.string(), code: v.string(), name: v.string(), version: whole }),
    suggested_plan: v.object({ id: v.string(), code: v.string(), name: v.string(), version: whole }),
    currency,
    periods: whole,
    current_cost: whole,
    suggested_cost: whole,
    saving: whole,
    saving_bps: whole,
  }),
} as const;

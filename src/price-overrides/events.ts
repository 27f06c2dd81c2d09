import * as v from 'valibot';
import { money, planVersion, usageChargeSnapshot } from '../events/shapes.ts';

/** Negotiated prices of one subscription; subject: the subscription. */
export const priceOverrideEvents = {
  /** An operator wrote a new version of the subscription's negotiated prices (an empty one ends the deal). */
  'subscription.prices_negotiated': v.object({
    subscription_id: v.string(),
    version: planVersion,
    /** The version it replaced; null on the first. */
    previous_version: v.nullable(planVersion),
    charges: v.array(usageChargeSnapshot),
    /** The negotiated seat price; null: the plan version's applies. */
    seat_price: v.nullable(money),
    note: v.nullable(v.string()),
  }),
} as const;

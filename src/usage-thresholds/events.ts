import * as v from 'valibot';
import { thresholdMetrics } from '../../db/schema/index.ts';
import { currency, iso, money, whole } from '../events/shapes.ts';

/** A usage threshold of a subscription: `value` in tokens or minor units of the subscription's currency. */
const usageThresholdSnapshot = v.object({
  id: v.string(),
  subscription_id: v.string(),
  metric: v.picklist(thresholdMetrics),
  value: whole,
  invoice_early: v.boolean(),
});

/** A subscription's usage thresholds and minimum spend; subject: the subscription. */
export const usageThresholdEvents = {
  /** A usage threshold of a subscription was set or deleted; subject: the subscription. */
  'usage_threshold.created': v.object({ threshold: usageThresholdSnapshot }),
  'usage_threshold.deleted': v.object({ threshold: usageThresholdSnapshot }),
  /**
   * A period's usage reached a threshold, once per threshold and period, in the transaction of the
   * record that reached it; `value_reached` is tokens or minor units (fee + overage so far) as `threshold.metric` says.
   */
  'usage.threshold_reached': v.object({
    threshold: usageThresholdSnapshot,
    subscription_id: v.string(),
    customer_id: v.string(),
    value_reached: whole,
    /** The subscription's currency, for an `amount` threshold's minor units. */
    currency,
    period_start: iso,
    period_end: iso,
  }),
  /** The subscription's minimum spend per period was set (`amount` 0: cleared); subject: the subscription. */
  'subscription.minimum_spend_set': v.object({ subscription_id: v.string(), minimum_spend: money }),
} as const;

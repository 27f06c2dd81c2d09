import * as v from 'valibot';
import { entitlementSnapshot, iso, whole } from '../events/shapes.ts';

/** Per-subscription entitlement overrides and consumed metered features; subject: the subscription. */
export const entitlementEvents = {
  /** An operator (or a key with `entitlements:write`) replaced a plan entitlement for one subscription; subject: the subscription. */
  'subscription.entitlement_overridden': v.object({
    subscription_id: v.string(),
    customer_id: v.string(),
    entitlement: entitlementSnapshot,
    /** The override it replaced, null when there was none. */
    previous: v.nullable(entitlementSnapshot),
  }),
  /** An override was removed: the plan version's entitlement (if any) applies again; subject: the subscription. */
  'subscription.entitlement_override_removed': v.object({ subscription_id: v.string(), customer_id: v.string(), removed: entitlementSnapshot }),
  /**
   * A check with `consume` counted units of a metered feature other than `ai_tokens`
   * (those are `usage.recorded`); subject: the subscription.
   */
  'feature.consumed': v.object({
    subscription_id: v.string(),
    customer_id: v.string(),
    feature: v.string(),
    record_id: v.string(),
    amount: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
    /** The period's use after this consume, and its limit. */
    used: whole,
    limit: whole,
    period_start: iso,
  }),
} as const;

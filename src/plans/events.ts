import * as v from 'valibot';
import { planIntervals, planStatuses, quotaPolicies } from '../../db/schema/index.ts';
import { currency, entitlementSnapshot, money, planVersion, usageChargeSnapshot, whole } from '../events/shapes.ts';

/** A plan at one version: its identity, status and that version's terms. */
const planSnapshot = v.object({
  id: v.string(),
  code: v.string(),
  status: v.picklist(planStatuses),
  version: planVersion,
  name: v.string(),
  price: money,
  interval: v.picklist(planIntervals),
  trial_days: whole,
  included_tokens: whole,
  overage_price_per_1k: money,
  quota_policy: v.picklist(quotaPolicies),
  features: v.array(v.string()),
  /** Every currency the version is priced in, the default first (absent from events older than multi-currency). */
  prices: v.optional(v.array(v.object({ currency, price_amount: whole, overage_price_per_1k: whole, seat_price: v.optional(whole) }))),
  /** Price of one licensed seat per period; absent on events written before seats existed. */
  seat_price: v.optional(money),
  /** Usage charges per meter; absent on events written before charges existed. */
  charges: v.optional(v.array(usageChargeSnapshot)),
  /** Typed entitlements; absent on events written before they existed. */
  entitlements: v.optional(v.array(entitlementSnapshot)),
});

/** The price list's plans; subject: the plan. */
export const planEvents = {
  'plan.created': v.object({ plan: planSnapshot }),
  'plan.updated': v.object({ plan: planSnapshot, previous_version: v.number(), changed: v.array(v.string()) }),
  'plan.archived': v.object({ plan: planSnapshot }),
} as const;

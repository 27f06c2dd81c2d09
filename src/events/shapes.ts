import * as v from 'valibot';
import { chargeModels, entitlementTypes, subscriptionStatuses } from '../../db/schema/index.ts';
import { realTimestamp } from '../kernel/iso-time.ts';

/**
 * The building blocks of event schemas that several domains' `events.ts` share.
 * A shape used by one domain only stays in that domain's `events.ts`.
 */

/** A person's name, email or phone: null once erased. */
export const personal = v.nullable(v.string());

/** A whole number ≥ 0: minor units of money, days, tokens. Money is never a float. */
export const whole = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** A signed whole number: signed minor units. */
export const signed = v.pipe(v.number(), v.safeInteger());

/** An ISO 4217 currency code. */
export const currency = v.pipe(v.string(), v.regex(/^[A-Z]{3}$/));

/** Integer minor units of a currency. */
export const money = v.object({ amount: whole, currency });

/** Signed minor units: proration credits are negative. */
export const signedMoney = v.object({ amount: signed, currency });

/** An instant as ISO 8601 (UTC), a real one. */
export const iso = realTimestamp();

/** A plan version number: 1, 2, … */
export const planVersion = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

/** A typed entitlement (src/plans/entitlements.ts): in plan snapshots and subscription overrides. */
const priceFields = {
  unit_price: v.optional(v.string()),
  tiers: v.optional(v.array(v.object({ up_to: v.nullable(whole), unit_price: v.string(), flat_fee: v.optional(v.string()) }))),
  package_size: v.optional(whole),
  package_price: v.optional(v.string()),
  included_quantity: v.optional(whole),
};

/** A usage charge as plan versions and negotiated prices carry it (prices are decimal strings of minor units). */
export const usageChargeSnapshot = v.object({
  meter: v.string(),
  model: v.picklist(chargeModels),
  ...priceFields,
  prices: v.optional(v.array(v.object({ dimensions: v.record(v.string(), v.string()), ...priceFields }))),
  min_amount: v.optional(whole),
  max_amount: v.optional(whole),
});

export const entitlementSnapshot = v.object({
  feature: v.string(),
  type: v.picklist(entitlementTypes),
  limit: v.optional(whole),
  value: v.optional(v.union([v.string(), v.number(), v.boolean()])),
  /** A metered entitlement read from a meter's usage: its code, and the dimension values it is narrowed to. */
  meter: v.optional(v.string()),
  dimensions: v.optional(v.record(v.string(), v.string())),
});

/** A subscription as carried inside events (the subscriptions' and billing's); times are ISO 8601. */
export const subscriptionSnapshot = v.object({
  id: v.string(),
  customer_id: v.string(),
  plan_id: v.string(),
  plan_version: planVersion,
  /** The currency it bills in, its customer's (absent from events older than multi-currency: the plan version's default). */
  currency: v.optional(currency),
  status: v.picklist(subscriptionStatuses),
  anchor: iso,
  current_period_start: iso,
  current_period_end: iso,
  trial_end: v.nullable(iso),
  cancel_at_period_end: v.boolean(),
  canceled_at: v.nullable(iso),
  /** Licensed seats (absent from events older than seats). */
  seats: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
});

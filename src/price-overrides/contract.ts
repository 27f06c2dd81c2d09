import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { MAX_CHARGE } from '../kernel/money.ts';
import { maxChars } from '../kernel/text.ts';
import { usageCharge } from '../pricing/contract.ts';
import { usageChargeResource } from '../plans/contract.ts';
import { subscriptionId } from '../subscriptions/contract.ts';

/** The most charges one deal may carry: as many as a plan version. */
export const MAX_OVERRIDE_CHARGES = 20;
const MAX_NOTE = 500;

const amount = v.pipe(
  v.number('must be a whole number of minor units'),
  v.safeInteger('must be a whole number of minor units'),
  v.minValue(0, 'must not be negative'),
  v.maxValue(MAX_CHARGE, `must be at most ${MAX_CHARGE}`),
);

export const priceOverrideParams = v.object({ id: subscriptionId });

/**
 * The negotiated prices of a subscription, as a whole (each PUT replaces the deal): `charges`
 * replace the plan version's charge of the same meter (or add one), one per meter; `seat_price`
 * (null or absent: the plan's) replaces the version's seat price. `{ charges: [], seat_price: null }` ends the deal.
 */
export const negotiatePricesInput = v.strictObject({
  charges: v.pipe(v.array(usageCharge, 'must be an array of usage charges'), v.maxLength(MAX_OVERRIDE_CHARGES, `must have at most ${MAX_OVERRIDE_CHARGES} charges`)),
  seat_price: v.optional(v.nullable(amount)),
  /** Why the deal was made or changed. */
  note: v.optional(v.pipe(v.string('must be a string'), ...maxChars(MAX_NOTE, `must be at most ${MAX_NOTE} characters`))),
});
export type NegotiatePricesInput = v.InferOutput<typeof negotiatePricesInput>;

export const listPriceOverrideVersionsQuery = v.object({ ...pageQuery });
export type ListPriceOverrideVersionsQuery = v.InferOutput<typeof listPriceOverrideVersionsQuery>;

const money = v.object({ amount: v.number(), currency: v.string() });

export const priceOverrideResource = v.object({
  object: v.literal('price_override'),
  subscription_id: v.string(),
  version: v.number(),
  /** The negotiated charges, priced in the subscription's currency. */
  charges: v.array(usageChargeResource),
  /** The negotiated price of one seat; null: the plan version's applies. */
  seat_price: v.nullable(money),
  note: v.nullable(v.string()),
  created_by: v.string(),
  created_at: v.string(),
  /** GET of the version in force only: the charges the subscription is billed with (the plan version's with these in place). */
  effective_charges: v.optional(v.array(usageChargeResource)),
});
export type PriceOverrideResource = v.InferOutput<typeof priceOverrideResource>;

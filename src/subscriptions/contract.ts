import * as v from 'valibot';
import { couponCode } from '../coupons/contract.ts';
import { customerId } from '../customers/contract.ts';
import { pageQuery } from '../../db/paging.ts';
import { planId } from '../plans/contract.ts';
import { currencyCode } from '../kernel/currency.ts';
import { adjustmentKinds, subscriptionStatuses } from '../../db/schema/index.ts';
import { oneOf } from '../kernel/one-of.ts';
import { MAX_CHARGE } from '../kernel/money.ts';
import { maxChars, singleLine } from '../kernel/text.ts';

export const subscriptionId = v.pipe(v.string(), v.regex(/^sub_[0-9A-Z]{26}$/, 'must be a subscription id (sub_…)'));
export const subscriptionParams = v.object({ id: subscriptionId });

/** The most licensed seats one subscription holds. */
export const MAX_SEATS = 1_000_000;
/** Licensed seats: a whole number from 1 to 1,000,000. */
export const seatCount = v.pipe(v.number('must be a whole number'), v.safeInteger('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(MAX_SEATS, `must be at most ${MAX_SEATS}`));

export const createSubscriptionInput = v.strictObject({
  customer_id: customerId,
  plan_id: planId,
  /**
   * The plan's trial, which a customer has once per plan. Omitted: the trial if the customer never
   * had one of this plan, else none; true: the trial, or 409 `trial_used`; false: none, `incomplete`
   * until the first payment.
   */
  trial: v.optional(v.boolean('must be true or false')),
  /** A coupon code to redeem on the new subscription (src/coupons/redeem.ts). */
  coupon: v.optional(couponCode),
  /**
   * The currency to bill in, for a customer's first subscription (default: the plan's default
   * currency); afterwards it must be the customer's, which every plan it uses must be priced in.
   */
  currency: v.optional(currencyCode),
  /** Licensed seats (default 1), billed each period as seats × the plan version's seat price in the subscription's currency. */
  seats: v.optional(seatCount),
});
export type CreateSubscriptionInput = v.InferOutput<typeof createSubscriptionInput>;

export const cancelSubscriptionInput = v.optional(v.strictObject({ at_period_end: v.optional(v.boolean('must be true or false'), false) }), {});
export type CancelSubscriptionInput = v.InferOutput<typeof cancelSubscriptionInput>;

export const changePlanInput = v.strictObject({ plan_id: planId });
export type ChangePlanInput = v.InferOutput<typeof changePlanInput>;

export const changeSeatsInput = v.strictObject({ seats: seatCount });
export type ChangeSeatsInput = v.InferOutput<typeof changeSeatsInput>;

/** The most units of one add-on. */
export const MAX_ADD_ON_QUANTITY = 1_000_000;
export const addOnId = v.pipe(v.string(), v.regex(/^sao_[0-9A-Z]{26}$/, 'must be an add-on id (sao_…)'));
export const addOnParams = v.object({ id: subscriptionId, addOnId });

// Checked as sent, then lower-cased, as plan codes are.
const addOnCode = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1 to 64 letters, digits, - or _, starting with a letter or digit (e.g. priority-support)'),
  v.toLowerCase(),
);

export const attachAddOnInput = v.strictObject({
  /** Names the add-on on this subscription: one active add-on per code. */
  code: addOnCode,
  /** What the invoice line says. */
  name: v.pipe(v.string(), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(200, 'must be at most 200 characters')),
  /** Whole minor units of the subscription's currency, per unit and period. */
  unit_amount: v.pipe(v.number('must be a whole number of minor units'), v.safeInteger('must be a whole number of minor units'), v.minValue(0, 'must not be negative'), v.maxValue(MAX_CHARGE, `must be at most ${MAX_CHARGE}`)),
  /** Units billed each period (default 1). */
  quantity: v.optional(v.pipe(v.number('must be a whole number'), v.safeInteger('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(MAX_ADD_ON_QUANTITY, `must be at most ${MAX_ADD_ON_QUANTITY}`)), 1),
});
export type AttachAddOnInput = v.InferOutput<typeof attachAddOnInput>;

export const listAddOnsQuery = v.object({ ...pageQuery });
export type ListAddOnsQuery = v.InferOutput<typeof listAddOnsQuery>;

export const addOnResource = v.object({
  id: v.string(),
  object: v.literal('subscription_add_on'),
  subscription_id: v.string(),
  code: v.string(),
  name: v.string(),
  unit_amount: v.number(),
  quantity: v.number(),
  currency: v.string(),
  /** Set when removed: it is billed no more. */
  removed_at: v.nullable(v.string()),
  created_at: v.string(),
  updated_at: v.string(),
  version: v.number(),
});
export type AddOnResource = v.InferOutput<typeof addOnResource>;

const status = oneOf(subscriptionStatuses);

export const listSubscriptionsQuery = v.object({
  ...pageQuery,
  status: v.optional(status),
  customer_id: v.optional(customerId),
  plan_id: v.optional(planId),
});
export type ListSubscriptionsQuery = v.InferOutput<typeof listSubscriptionsQuery>;

export const listCustomerSubscriptionsQuery = v.object({ ...pageQuery, status: v.optional(status) });
export type ListCustomerSubscriptionsQuery = v.InferOutput<typeof listCustomerSubscriptionsQuery>;

export const listAdjustmentsQuery = v.object({ ...pageQuery });
export type ListAdjustmentsQuery = v.InferOutput<typeof listAdjustmentsQuery>;

export const subscriptionResource = v.object({
  id: v.string(),
  object: v.literal('subscription'),
  customer_id: v.string(),
  plan_id: v.string(),
  plan_version: v.number(),
  /** The currency it bills in: its customer's (null only for a subscription older than multi-currency that the migration could not place). */
  currency: v.nullable(v.string()),
  status: v.picklist(subscriptionStatuses),
  anchor: v.string(),
  current_period_start: v.string(),
  current_period_end: v.string(),
  trial_end: v.nullable(v.string()),
  cancel_at_period_end: v.boolean(),
  canceled_at: v.nullable(v.string()),
  /** Licensed seats, billed each period and shown as the `seats` entitlement. */
  seats: v.number(),
  /**
   * Null while billing goes well. Otherwise why the billing pass could not move it over its
   * last boundary (`code` as in the API's problems, e.g. `amount_out_of_range`), since when,
   * and when the pass tries again; the other subscriptions bill meanwhile.
   */
  billing_error: v.nullable(v.object({ code: v.string(), message: v.string(), failed_at: v.string(), retry_at: v.nullable(v.string()) })),
  created_at: v.string(),
  updated_at: v.string(),
  version: v.number(),
});
export type SubscriptionResource = v.InferOutput<typeof subscriptionResource>;


export const adjustmentResource = v.object({
  id: v.string(),
  object: v.literal('subscription_adjustment'),
  subscription_id: v.string(),
  kind: v.picklist(adjustmentKinds),
  /** Signed minor units: a credit is negative. */
  amount: v.object({ amount: v.number(), currency: v.string() }),
  description: v.string(),
  created_at: v.string(),
  invoiced_at: v.nullable(v.string()),
});
export type AdjustmentResource = v.InferOutput<typeof adjustmentResource>;

import * as v from 'valibot';
import { couponCode } from '../coupons/contract.ts';
import { customerId } from '../customers/contract.ts';
import { pageQuery } from '../../db/paging.ts';
import { planId } from '../plans/contract.ts';
import { currencyCode } from '../kernel/currency.ts';
import { adjustmentKinds, subscriptionStatuses } from '../../db/schema/index.ts';
import { oneOf } from '../kernel/one-of.ts';

export const subscriptionId = v.pipe(v.string(), v.regex(/^sub_[0-9A-Z]{26}$/, 'must be a subscription id (sub_…)'));
export const subscriptionParams = v.object({ id: subscriptionId });

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
});
export type CreateSubscriptionInput = v.InferOutput<typeof createSubscriptionInput>;

export const cancelSubscriptionInput = v.optional(v.strictObject({ at_period_end: v.optional(v.boolean('must be true or false'), false) }), {});
export type CancelSubscriptionInput = v.InferOutput<typeof cancelSubscriptionInput>;

export const changePlanInput = v.strictObject({ plan_id: planId });
export type ChangePlanInput = v.InferOutput<typeof changePlanInput>;

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

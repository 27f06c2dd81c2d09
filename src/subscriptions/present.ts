import type { InferSelectModel } from 'drizzle-orm';
import type { subscriptionAddOns, subscriptionAdjustments, subscriptions } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { AddOnResource, AdjustmentResource, SubscriptionResource } from './contract.ts';

export type SubscriptionRow = InferSelectModel<typeof subscriptions>;
export type AdjustmentRow = InferSelectModel<typeof subscriptionAdjustments>;
export type AddOnRow = InferSelectModel<typeof subscriptionAddOns>;

/** The subscription as carried inside events. */
export function toSubscriptionSnapshot(row: SubscriptionRow): EventData<'subscription.created'>['subscription'] {
  return {
    id: row.id,
    customer_id: row.customerId,
    plan_id: row.planId,
    plan_version: row.planVersion,
    ...(row.currency === null ? {} : { currency: row.currency }),
    status: row.status,
    anchor: toIso(row.anchor),
    current_period_start: toIso(row.currentPeriodStart),
    current_period_end: toIso(row.currentPeriodEnd),
    trial_end: toIsoOrNull(row.trialEnd),
    cancel_at_period_end: row.cancelAtPeriodEnd,
    canceled_at: toIsoOrNull(row.canceledAt),
    seats: row.seats,
  };
}

/** The API shape of a subscription. */
export function toSubscriptionResource(row: SubscriptionRow): SubscriptionResource {
  const { id, ...rest } = toSubscriptionSnapshot(row);
  const failure = row.billingError;
  const billing_error = failure ? { code: failure.code, message: failure.message, failed_at: toIso(failure.failed_at), retry_at: toIsoOrNull(row.billingRetryAt) } : null;
  return { id, object: 'subscription', ...rest, currency: row.currency, seats: row.seats, billing_error, created_at: toIso(row.createdAt), updated_at: toIso(row.updatedAt), version: row.version };
}

/** The API shape of a proration line waiting for an invoice. */
export function toAdjustmentResource(row: AdjustmentRow): AdjustmentResource {
  return {
    id: row.id,
    object: 'subscription_adjustment',
    subscription_id: row.subscriptionId,
    kind: row.kind,
    amount: { amount: row.amount, currency: row.currency },
    description: row.description,
    created_at: toIso(row.createdAt),
    invoiced_at: toIsoOrNull(row.invoicedAt),
  };
}


/** The API shape of an add-on. */
export function toAddOnResource(row: AddOnRow): AddOnResource {
  return {
    id: row.id,
    object: 'subscription_add_on',
    subscription_id: row.subscriptionId,
    code: row.code,
    name: row.name,
    unit_amount: row.unitAmount,
    quantity: row.quantity,
    currency: row.currency,
    removed_at: toIsoOrNull(row.removedAt),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    version: row.version,
  };
}

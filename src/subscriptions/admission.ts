import { and, desc, eq, isNotNull, ne } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { subscriptions } from '../../db/schema/index.ts';
import type { CustomerRow } from '../customers/present.ts';
import { DomainError } from '../kernel/errors.ts';

export interface AdmissionRequest {
  customer: CustomerRow;
  planId: string;
  /** Whether the plan's current version has a trial at all (`trial_days` > 0). */
  planHasTrial: boolean;
  /** As asked: true (the trial, or refuse), false (no trial), undefined (the trial if still unused). */
  trial: boolean | undefined;
}

/**
 * Whether a customer may take one more subscription, and whether it starts with the plan's trial.
 *
 *   live subscriptions = the customer's subscriptions that are not `canceled`;
 *   one more only while live < `max_subscriptions` (1 unless an operator raised it),
 *   else 409 `subscription_exists` naming the newest live one;
 *   a plan's trial once per customer: any earlier subscription of the customer to the plan,
 *   canceled or not, that had a trial (`trial_end` set) used it. With it used, `trial` omitted
 *   starts without one; `trial: true` is 409 `trial_used` naming that subscription.
 *
 * Runs in the creating transaction, which the transactor serialises with every other writer,
 * so two concurrent requests cannot both pass.
 */
export async function admitSubscription(tx: Executor, request: AdmissionRequest): Promise<{ trial: boolean }> {
  const { customer, planId } = request;
  const live = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customer.id), ne(subscriptions.status, 'canceled')))
    .orderBy(desc(subscriptions.id))
    .limit(customer.maxSubscriptions);
  if (live.length >= customer.maxSubscriptions) {
    const newest = live[0]!.id;
    const held = customer.maxSubscriptions === 1 ? `subscription ${newest}` : `${live.length} live subscriptions (the newest ${newest})`;
    throw new DomainError('subscription_exists', `customer ${customer.id} already has ${held}; it may hold ${customer.maxSubscriptions} at once. Change the plan of ${newest}, cancel it, or ask an operator to raise max_subscriptions`, {
      field: 'customer_id',
      subscription_id: newest,
      max_subscriptions: customer.maxSubscriptions,
    });
  }

  if (!request.planHasTrial || request.trial === false) return { trial: false };
  const [used] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customer.id), eq(subscriptions.planId, planId), isNotNull(subscriptions.trialEnd)))
    .orderBy(desc(subscriptions.id))
    .limit(1);
  if (!used) return { trial: true };
  if (request.trial === true) {
    throw new DomainError('trial_used', `customer ${customer.id} already had a trial of plan ${planId} (subscription ${used.id}); subscribe with trial: false`, {
      field: 'trial',
      subscription_id: used.id,
      plan_id: planId,
    });
  }
  return { trial: false };
}

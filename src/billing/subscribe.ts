import { onCustomerClock } from '../customers/clock.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { createSubscription } from '../subscriptions/create.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import { toSubscriptionResource } from '../subscriptions/present.ts';
import type { CreateSubscriptionInput } from '../subscriptions/contract.ts';
import { draftInvoice } from './draft.ts';
import { finalizeIfDue } from './finalize.ts';

/**
 * Subscribes a customer and bills what starts now, in one transaction: the
 * subscription (src/subscriptions/create.ts) and, when it starts without a trial
 * (`incomplete`), its first period's invoice (`subscription_create`), finalized there
 * too when there is no review window. An invoice with nothing due is paid at once,
 * which activates the subscription, so the answer is the subscription as it then is.
 * A trial's invoice waits for the trial's end (src/billing/renewal.ts).
 * A sandbox customer subscribes at its test clock's time.
 */
export function subscribe(ctx: Ctx, input: CreateSubscriptionInput) {
  return withTransaction(ctx, async (outer) => {
    const ctx = await onCustomerClock(outer, input.customer_id);
    const sub = await createSubscription(ctx, input);
    if (sub.status !== 'incomplete') return toSubscriptionResource(sub);
    const draft = await draftInvoice(ctx, sub, { reason: 'subscription_create', feePeriod: { start: sub.currentPeriodStart, end: sub.currentPeriodEnd }, usagePeriod: null });
    const invoice = await finalizeIfDue(ctx, draft);
    return toSubscriptionResource(invoice?.status === 'paid' ? await loadSubscription(ctx.tx, sub.id) : sub);
  });
}

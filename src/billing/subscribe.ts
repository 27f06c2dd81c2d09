import { onCustomerClock } from '../customers/clock.ts';
import type { Ctx } from '../kernel/context.ts';
import { runResumable, type ResumableWrite } from '../kernel/resumable.ts';
import { createSubscription } from '../subscriptions/create.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import { toSubscriptionResource } from '../subscriptions/present.ts';
import type { CreateSubscriptionInput, SubscriptionResource } from '../subscriptions/contract.ts';
import { collectStarted, startedPayment, startPayment, type StartedPayment } from './collect.ts';
import type { CollectionSettings } from './collection-settings.ts';
import { draftInvoice } from './draft.ts';
import { finalizeIfDue } from './finalize.ts';

/** Where a subscribing request stands: its subscription, and the first invoice's payment it started, if any. */
type SubscribePoint = { subscription_id: string; customer_id: string } & ({ payment_id: null } | StartedPayment);

/**
 * Subscribes a customer and bills what starts now. The first transaction holds the
 * subscription (src/subscriptions/create.ts) and, when it starts without a trial
 * (`incomplete`), its first period's invoice (`subscription_create`), finalized there
 * too when there is no review window; an invoice with nothing due is paid at once,
 * and one with something due gets its first automatic payment started (collect on
 * commit: as the billing pass would, a decline is dunned). The payment saga then runs
 * in the request, so the answer is the subscription as it then is (`active` once paid).
 * A trial's invoice waits for the trial's end (src/billing/renewal.ts).
 * A sandbox customer subscribes at its test clock's time. Resumable
 * (src/kernel/resumable.ts): a retry after a crash finishes the same payment.
 */
export function subscribeWrite(input: CreateSubscriptionInput, settings: CollectionSettings): ResumableWrite<SubscribePoint, void, SubscriptionResource> {
  return {
    async begin(outer) {
      const ctx = await onCustomerClock(outer, input.customer_id);
      const sub = await createSubscription(ctx, input);
      const point = { subscription_id: sub.id, customer_id: sub.customerId };
      if (sub.status !== 'incomplete') return { ...point, payment_id: null };
      const draft = await draftInvoice(ctx, sub, { reason: 'subscription_create', feePeriod: { start: sub.currentPeriodStart, end: sub.currentPeriodEnd }, usagePeriod: null });
      const invoice = await finalizeIfDue(ctx, draft);
      if (invoice?.status !== 'open' || !invoice.autoCollect || invoice.amountDue <= 0) return { ...point, payment_id: null };
      return { ...point, ...startedPayment(await startPayment(ctx, invoice.id, { trigger: 'automatic' }, settings)) };
    },
    async proceed(outer, point, resumed) {
      if (point.payment_id !== null) await collectStarted(await onCustomerClock(outer, point.customer_id), point, resumed, settings);
    },
    finish: async (ctx, point) => toSubscriptionResource(await loadSubscription(ctx.tx, point.subscription_id)),
  };
}

/** Subscribes outside any Idempotency-Key (the dashboard's form). */
export const subscribe = (ctx: Ctx, input: CreateSubscriptionInput, settings: CollectionSettings) => runResumable(ctx, subscribeWrite(input, settings));

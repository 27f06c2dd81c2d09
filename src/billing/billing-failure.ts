import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { loadSubscription, saveSubscription } from '../subscriptions/load.ts';
import { toSubscriptionSnapshot, type SubscriptionRow } from '../subscriptions/present.ts';

/** How long the billing pass leaves a subscription alone after its renewal failed. */
export const BILLING_RETRY_MS = 60 * 60 * 1000;

/**
 * What a subscription shows of a failure. A DomainError is the caller's to act on and is shown
 * as it is; anything else stays in the worker's log, since the subscription is shown to its
 * customer too and a driver's message can carry SQL.
 */
function shownError(error: unknown): { code: string; message: string } {
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  return { code: 'internal', message: 'an internal error; the billing worker logged it' };
}

/**
 * Flags a subscription whose renewal failed, in a transaction of its own (the failed one rolled
 * back): `billing_error` says why and since when, `billing_retry_at` when the pass tries again.
 * Until then the pass skips it, so failing subscriptions never fill a pass's batch and the others
 * bill. The first failure (none flagged before) emits `subscription.billing_failed`; a repeated one
 * only moves the retry time, so a stuck subscription alerts once, not every pass.
 */
export function flagBillingFailure(ctx: Ctx, id: string, error: unknown): Promise<SubscriptionRow> {
  return withTransaction(ctx, async (ctx) => {
    const sub = await loadSubscription(ctx.tx, id);
    const now = ctx.clock.now();
    const shown = shownError(error);
    const first = sub.billingError === null || sub.billingError.code !== shown.code || sub.billingError.message !== shown.message;
    const retryAt = now + BILLING_RETRY_MS;
    const row = await saveSubscription(ctx, sub, { billingError: first ? { ...shown, failed_at: now } : sub.billingError, billingRetryAt: retryAt });
    if (first) {
      await emit(ctx, [{ type: 'subscription.billing_failed', subject: id, data: { subscription: toSubscriptionSnapshot(row), error: shown, retry_at: new Date(retryAt).toISOString() } }]);
    }
    return row;
  });
}

/** The columns that clear a flagged failure: set with the change that crosses the boundary. */
export const billingRecovered = { billingError: null, billingRetryAt: null } as const;

import type { Ctx } from '../kernel/context.ts';
import type { PaymentProvider } from '../payments/provider.ts';

/** What collection needs: the provider to charge, the saga's lease, and the dunning schedule. */
export interface CollectionSettings {
  provider: PaymentProvider;
  /** How long a payment saga belongs to the worker running it before another may resume it. */
  leaseMs: number;
  /** Automatic retries after the first failed attempt, in days after it (`DUNNING_RETRY_DAYS`). */
  dunningRetryDays: readonly number[];
}

/** The collection settings: the context's billing settings and the provider built at start. */
export const collectionSettings = (ctx: Pick<Ctx, 'settings'>, provider: PaymentProvider): CollectionSettings => ({
  provider,
  leaseMs: ctx.settings.billing.paymentLeaseMs,
  dunningRetryDays: ctx.settings.billing.dunningRetryDays,
});

import type { Deps } from '../deps.ts';
import type { PaymentProvider } from '../payments/provider.ts';

/** What collection needs: the provider to charge, the saga's lease, and the dunning schedule. */
export interface CollectionSettings {
  provider: PaymentProvider;
  /** How long a payment saga belongs to the worker running it before another may resume it. */
  leaseMs: number;
  /** Automatic retries after the first failed attempt, in days after it (`DUNNING_RETRY_DAYS`). */
  dunningRetryDays: readonly number[];
}

/** The collection settings from the configuration and the provider built at start. */
export const collectionSettings = (deps: Pick<Deps, 'config' | 'payments'>): CollectionSettings => ({
  provider: deps.payments,
  leaseMs: deps.config.billing.paymentLeaseMs,
  dunningRetryDays: deps.config.billing.dunningRetryDays,
});

import type { Deps } from '../deps.ts';
import type { PaymentSettings } from './saga.ts';

/** The saga's settings from the configuration and the provider built at start. */
export const paymentSettings = (deps: Pick<Deps, 'config' | 'payments'>): PaymentSettings => ({
  provider: deps.payments,
  leaseMs: deps.config.billing.paymentLeaseMs,
  dunningRetryDays: deps.config.billing.dunningRetryDays,
});

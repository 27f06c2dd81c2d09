import type { Ctx } from '../kernel/context.ts';
import type { PaymentProvider } from './provider.ts';
import type { PaymentSettings } from './saga.ts';

/** The saga's settings: the context's billing settings and the provider built at start. */
export const paymentSettings = (ctx: Pick<Ctx, 'settings'>, provider: PaymentProvider): PaymentSettings => ({
  provider,
  leaseMs: ctx.settings.billing.paymentLeaseMs,
  dunningRetryDays: ctx.settings.billing.dunningRetryDays,
});

import { eq } from 'drizzle-orm';
import { customers, wallets } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { AutoTopUpInput } from './contract.ts';
import { requireCustomer, requireWalletCurrency } from './currency.ts';
import { ensureWallet } from './ledger.ts';

/**
 * Saves a wallet's auto top-up settings (`wallet.auto_top_up_configured`, audited).
 * Without `currency`, the wallet is the one in the customer's billing currency (409 while it has none).
 * Returns the wallet's currency; starting a top-up when the balance is already
 * low is billing's (src/billing/wallet-top-up.ts).
 */
export async function configureAutoTopUp(ctx: TxCtx, customerId: string, input: AutoTopUpInput): Promise<string> {
  await requireCustomer(ctx.tx, customerId);
  const currency = input.currency ?? (await billingCurrency(ctx, customerId));
  await requireWalletCurrency(ctx.tx, customerId, currency);
  const wallet = await ensureWallet(ctx, customerId, currency);
  await ctx.tx
    .update(wallets)
    .set({ autoTopUpEnabled: input.enabled, autoTopUpThreshold: input.threshold, autoTopUpAmount: input.amount, updatedAt: ctx.clock.now() })
    .where(eq(wallets.id, wallet.id));
  await emit(ctx, [
    {
      type: 'wallet.auto_top_up_configured',
      subject: customerId,
      data: { customer_id: customerId, currency, enabled: input.enabled, threshold: { amount: input.threshold, currency }, amount: { amount: input.amount, currency } },
    },
  ]);
  await recordAudit(ctx, { action: 'wallet.auto_top_up', targetType: 'customer', targetId: customerId, data: { currency, enabled: input.enabled, threshold: input.threshold, amount: input.amount } });
  return currency;
}

/** The customer's billing currency (set by its first subscription); without one, `currency` must be given (409). */
async function billingCurrency(ctx: TxCtx, customerId: string): Promise<string> {
  const [row] = await ctx.tx.select({ currency: customers.currency }).from(customers).where(eq(customers.id, customerId));
  if (!row?.currency) {
    throw new DomainError('conflict', `customer ${customerId} has no billing currency yet (its first subscription sets it): name the wallet's currency`, {
      issues: [{ field: 'currency', message: 'is needed while the customer has no billing currency' }],
    });
  }
  return row.currency;
}

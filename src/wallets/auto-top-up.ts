import { eq } from 'drizzle-orm';
import { wallets } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import type { AutoTopUpInput } from './contract.ts';
import { walletCurrency } from './currency.ts';
import { ensureWallet } from './ledger.ts';

/**
 * Saves a wallet's auto top-up settings (`wallet.auto_top_up_configured`, audited).
 * Without `currency`, the wallet is the one in the customer's billing currency (409 while it has none).
 * Returns the wallet's currency; starting a top-up when the balance is already
 * low is billing's (src/billing/wallet-top-up.ts).
 */
export async function configureAutoTopUp(ctx: TxCtx, customerId: string, input: AutoTopUpInput): Promise<string> {
  const currency = await walletCurrency(ctx.tx, customerId, input.currency);
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

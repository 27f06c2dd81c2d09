import { recordAudit } from '../audit/record.ts';
import { onCustomerClock } from '../customers/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import { validationError } from '../kernel/errors.ts';
import type { GrantCreditInput } from './contract.ts';
import { walletCurrency } from './currency.ts';
import { creditWallet, ensureWallet } from './ledger.ts';
import { toWalletEntryResource } from './present.ts';

/**
 * An operator grants free credit: a `grant` entry in the customer's wallet
 * (`wallet.credited`), optionally expiring at `expires_at` (which must be in the
 * future), audited.
 */
export async function grantWalletCredit(outer: TxCtx, customerId: string, input: GrantCreditInput) {
  // A sandbox customer's grant is made (and must expire after) its test clock's time.
  const ctx = await onCustomerClock(outer, customerId);
  await walletCurrency(ctx.tx, customerId, input.currency);
  const expiresAt = input.expires_at === undefined ? null : Date.parse(input.expires_at);
  if (expiresAt !== null && expiresAt <= ctx.clock.now()) throw validationError([{ field: 'expires_at', message: 'must be in the future' }]);
  const wallet = await ensureWallet(ctx, customerId, input.currency);
  const entry = await creditWallet(ctx, wallet, { kind: 'grant', amount: input.amount, expiresAt, description: input.description ?? 'Granted credit' });
  await recordAudit(ctx, { action: 'wallet.grant', targetType: 'customer', targetId: customerId, data: { entry_id: entry.id, amount: input.amount, currency: input.currency, expires_at: input.expires_at ?? null } });
  return toWalletEntryResource(entry);
}

import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { WalletEntryResource } from './contract.ts';
import type { WalletEntryRow } from './ledger.ts';

/** The API shape of one ledger entry. */
export const toWalletEntryResource = (r: WalletEntryRow): WalletEntryResource => ({
  id: r.id,
  object: 'wallet_entry',
  customer_id: r.customerId,
  currency: r.currency,
  kind: r.kind,
  amount: r.amount,
  remaining: r.remaining,
  expires_at: toIsoOrNull(r.expiresAt),
  invoice_id: r.invoiceId,
  source_id: r.sourceId,
  description: r.description,
  created_at: toIso(r.createdAt),
});

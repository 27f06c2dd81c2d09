import * as v from 'valibot';
import { walletCreditKinds } from '../../db/schema/index.ts';
import { currency, iso, money, signedMoney } from '../events/shapes.ts';

/**
 * A customer's prepaid wallet: credits, draws, expiries and its auto top-up settings;
 * subject: the customer. (A started top-up is billing's: src/billing/events.ts.)
 */
export const walletEvents = {
  /** Money entered a customer's prepaid wallet: a paid top-up, a granted credit, or a voided invoice's draw given back. */
  'wallet.credited': v.object({
    customer_id: v.string(),
    entry_id: v.string(),
    kind: v.picklist(walletCreditKinds),
    amount: money,
    balance: signedMoney,
    expires_at: v.nullable(iso),
    invoice_id: v.nullable(v.string()),
    description: v.string(),
  }),
  /** An invoice drew from the wallet at finalization (`amount` is what it took). */
  'wallet.debited': v.object({ customer_id: v.string(), entry_id: v.string(), amount: money, balance: signedMoney, invoice_id: v.string() }),
  /** What was left of a grant at its `expires_at` left the wallet. */
  'wallet.credit_expired': v.object({ customer_id: v.string(), entry_id: v.string(), grant_id: v.string(), amount: money, balance: signedMoney }),
  /** An operator or the customer changed a wallet's auto top-up settings. */
  'wallet.auto_top_up_configured': v.object({ customer_id: v.string(), currency, enabled: v.boolean(), threshold: money, amount: money }),
} as const;

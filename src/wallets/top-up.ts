import type { TxCtx } from '../kernel/context.ts';
import { creditWallet, ensureWallet } from './ledger.ts';

/**
 * A paid invoice credits the wallet when it was a top-up (called by billing when it
 * marks an invoice paid, in the payment's transaction): the `top_up` entry of the
 * invoice's total. A top-up that is never paid credits nothing.
 */
export async function creditPaidTopUp(ctx: TxCtx, invoice: { id: string; number: string | null; customerId: string; currency: string; billingReason: string; total: number }): Promise<void> {
  if (invoice.billingReason !== 'wallet_top_up') return;
  const wallet = await ensureWallet(ctx, invoice.customerId, invoice.currency);
  await creditWallet(ctx, wallet, { kind: 'top_up', amount: invoice.total, invoiceId: invoice.id, description: `Top-up paid by ${invoice.number ?? invoice.id}` });
}

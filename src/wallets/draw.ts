import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { walletDraws, walletEntries } from '../../db/schema/index.ts';
import { emit } from '../events/outbox.ts';
import { planDraw } from './allocate.ts';
import type { TxCtx } from '../kernel/context.ts';
import { creditWallet, debitWallet, findWallet, walletBalance, type WalletRow } from './ledger.ts';

/** What a draw needs of an invoice (billing's invoice row has it all). */
export interface DrawingInvoice {
  id: string;
  number: string | null;
  customerId: string;
  currency: string;
  billingReason: string;
  walletApplied: number;
}

/**
 * The wallet's credit entries that can still be spent at `now`, in the order a draw
 * takes them: soonest expiry first, never-expiring last, oldest first among equals.
 * So a draw spends the credit that would otherwise be lost, and expiry later takes
 * only what is left of a grant.
 */
function spendable(ctx: TxCtx, wallet: WalletRow) {
  const now = ctx.clock.now();
  return ctx.tx
    .select()
    .from(walletEntries)
    .where(and(eq(walletEntries.walletId, wallet.id), gt(walletEntries.remaining, 0), or(isNull(walletEntries.expiresAt), gt(walletEntries.expiresAt, now))))
    .orderBy(sql`${walletEntries.expiresAt} is null`, asc(walletEntries.expiresAt), asc(walletEntries.id));
}

/**
 * The wallet pays what it can of an invoice being finalized (after the customer's
 * credit balance was applied): returns the amount drawn, written as one
 * `invoice_drawn` entry (`wallet.debited`) and taken from the credit entries'
 * `remaining` in `spendable` order (recorded per entry in `wallet_draws`, so a void
 * gives each its part back). Top-up invoices are paid in money, never from the wallet.
 */
export async function drawFromWallet(ctx: TxCtx, invoice: DrawingInvoice, number: string, amountDue: number): Promise<number> {
  if (amountDue <= 0 || invoice.billingReason === 'wallet_top_up') return 0;
  const wallet = await findWallet(ctx.tx, invoice.customerId, invoice.currency);
  if (!wallet) return 0;
  const credits = await spendable(ctx, wallet);
  const { drawn, takes } = planDraw(credits.map((c) => ({ id: c.id, remaining: c.remaining ?? 0 })), amountDue);
  if (drawn === 0) return 0;
  const debit = await debitWallet(ctx, wallet, { kind: 'invoice_drawn', amount: drawn, invoiceId: invoice.id, description: `Drawn for ${number}` });
  for (const t of takes) {
    await ctx.tx.update(walletEntries).set({ remaining: sql`${walletEntries.remaining} - ${t.take}` }).where(eq(walletEntries.id, t.id));
    await ctx.tx.insert(walletDraws).values({ debitId: debit.id, creditId: t.id, amount: t.take });
  }
  const balance = await walletBalance(ctx.tx, wallet.id);
  await emit(ctx, [
    {
      type: 'wallet.debited',
      subject: wallet.customerId,
      data: { customer_id: wallet.customerId, entry_id: debit.id, amount: { amount: drawn, currency: wallet.currency }, balance: { amount: balance, currency: wallet.currency }, invoice_id: invoice.id },
    },
  ]);
  return drawn;
}

/**
 * Gives a voided invoice's draw back: each credit entry it took from gets its part
 * back in `remaining` (a grant keeps its expiry; one already past it is expired by
 * the next billing pass), and one `invoice_voided` entry (`wallet.credited`) puts
 * the amount back in the balance. Its own `remaining` is 0: the money sits in the
 * entries it came from, so Σ remaining = balance still holds.
 */
export async function returnWalletDraw(ctx: TxCtx, invoice: DrawingInvoice): Promise<void> {
  if (invoice.walletApplied <= 0) return;
  const wallet = await findWallet(ctx.tx, invoice.customerId, invoice.currency);
  if (!wallet) return;
  const debits = await ctx.tx.select().from(walletEntries).where(and(eq(walletEntries.invoiceId, invoice.id), eq(walletEntries.kind, 'invoice_drawn')));
  for (const debit of debits) {
    for (const draw of await ctx.tx.select().from(walletDraws).where(eq(walletDraws.debitId, debit.id))) {
      await ctx.tx.update(walletEntries).set({ remaining: sql`${walletEntries.remaining} + ${draw.amount}` }).where(eq(walletEntries.id, draw.creditId));
    }
  }
  await creditWallet(ctx, wallet, { kind: 'invoice_voided', amount: invoice.walletApplied, invoiceId: invoice.id, remaining: 0, description: `Back from voided ${invoice.number ?? invoice.id}` });
}

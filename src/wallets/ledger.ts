import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { walletEntries, wallets, type walletCreditKinds, type walletDebitKinds } from '../../db/schema/index.ts';
import { emit } from '../events/outbox.ts';
import { toIsoOrNull } from '../kernel/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';

export type WalletRow = typeof wallets.$inferSelect;
export type WalletEntryRow = typeof walletEntries.$inferSelect;
export type WalletCreditKind = (typeof walletCreditKinds)[number];

/** The customer's wallet in `currency`, or null when it has none yet. */
export async function findWallet(db: Executor, customerId: string, currency: string): Promise<WalletRow | null> {
  const [row] = await db.select().from(wallets).where(and(eq(wallets.customerId, customerId), eq(wallets.currency, currency)));
  return row ?? null;
}

/** The customer's wallet in `currency`, created (empty, auto top-up off) on first use. */
export async function ensureWallet(ctx: TxCtx, customerId: string, currency: string): Promise<WalletRow> {
  const existing = await findWallet(ctx.tx, customerId, currency);
  if (existing) return existing;
  const now = ctx.clock.now();
  const [row] = await ctx.tx.insert(wallets).values({ id: newId('wal', now), customerId, currency, createdAt: now, updatedAt: now }).returning();
  return row!;
}

/** The wallet's balance: the sum of its ledger (minor units). */
export async function walletBalance(db: Executor, walletId: string): Promise<number> {
  const [row] = await db.select({ balance: sql<number>`coalesce(sum(${walletEntries.amount}), 0)` }).from(walletEntries).where(eq(walletEntries.walletId, walletId));
  return Number(row?.balance ?? 0);
}

/**
 * Puts money in the wallet: one credit entry whose `remaining` starts at its amount
 * (draws and expiry take from it), and `wallet.credited` with the new balance.
 */
export async function creditWallet(
  ctx: TxCtx,
  wallet: WalletRow,
  entry: { kind: WalletCreditKind; amount: number; expiresAt?: number | null; invoiceId?: string | null; description: string; remaining?: number },
): Promise<WalletEntryRow> {
  if (!Number.isSafeInteger(entry.amount) || entry.amount <= 0) throw new RangeError(`a wallet credit is a positive whole amount, not ${entry.amount}`);
  const row = await insertEntry(ctx, wallet, { kind: entry.kind, amount: entry.amount, remaining: entry.remaining ?? entry.amount, expiresAt: entry.expiresAt ?? null, invoiceId: entry.invoiceId ?? null, sourceId: null, description: entry.description });
  const balance = await walletBalance(ctx.tx, wallet.id);
  await emit(ctx, [
    {
      type: 'wallet.credited',
      subject: wallet.customerId,
      data: {
        customer_id: wallet.customerId,
        entry_id: row.id,
        kind: entry.kind,
        amount: { amount: entry.amount, currency: wallet.currency },
        balance: { amount: balance, currency: wallet.currency },
        expires_at: toIsoOrNull(row.expiresAt),
        invoice_id: row.invoiceId,
        description: entry.description,
      },
    },
  ]);
  return row;
}

/** Writes a debit entry (negative `amount`); the caller has taken it from credit entries' `remaining`. */
export async function debitWallet(
  ctx: TxCtx,
  wallet: WalletRow,
  entry: { kind: (typeof walletDebitKinds)[number]; amount: number; invoiceId?: string | null; sourceId?: string | null; description: string },
): Promise<WalletEntryRow> {
  return insertEntry(ctx, wallet, { kind: entry.kind, amount: -entry.amount, remaining: null, expiresAt: null, invoiceId: entry.invoiceId ?? null, sourceId: entry.sourceId ?? null, description: entry.description });
}

/** One ledger row of the wallet, in its customer and currency, written now. */
async function insertEntry(
  ctx: TxCtx,
  wallet: WalletRow,
  entry: { kind: WalletEntryRow['kind']; amount: number; remaining: number | null; expiresAt: number | null; invoiceId: string | null; sourceId: string | null; description: string },
): Promise<WalletEntryRow> {
  const now = ctx.clock.now();
  const [row] = await ctx.tx
    .insert(walletEntries)
    .values({ id: newId('wle', now), walletId: wallet.id, customerId: wallet.customerId, currency: wallet.currency, ...entry, createdAt: now })
    .returning();
  return row!;
}

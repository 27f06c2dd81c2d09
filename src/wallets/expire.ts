import { and, asc, eq, gt, lte, type SQL, type SQLWrapper } from 'drizzle-orm';
import { walletEntries, wallets } from '../../db/schema/index.ts';
import { emit } from '../events/outbox.ts';
import { describeError } from '../kernel/errors.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { debitWallet, walletBalance } from './ledger.ts';

/**
 * Expires what is left of grants whose `expires_at` has come (at the context's
 * clock): per grant, in its own transaction, `remaining` goes to 0 and an `expired`
 * entry of minus that amount is written (`wallet.credit_expired`), then `afterExpiry`
 * runs in the same transaction (billing starts an auto top-up there when the balance
 * is now under its threshold). A grant that fails is logged, counted in `errors` and
 * retried by the next pass; the others go on.
 */
export async function expireWalletCredit(
  ctx: Ctx,
  afterExpiry: (ctx: TxCtx, customerId: string, currency: string) => Promise<unknown>,
  /** Restricts the wallets to the billing pass's customers (live ones, or one test clock's). */
  inScope: (customerId: SQLWrapper) => SQL | undefined = () => undefined,
  limit = 100,
): Promise<{ expired: number; errors: number }> {
  const now = ctx.clock.now();
  const due = await ctx.db
    .select({ id: walletEntries.id })
    .from(walletEntries)
    .innerJoin(wallets, eq(wallets.id, walletEntries.walletId))
    .where(and(gt(walletEntries.remaining, 0), lte(walletEntries.expiresAt, now), inScope(wallets.customerId)))
    .orderBy(asc(walletEntries.expiresAt), asc(walletEntries.id))
    .limit(limit);
  let expired = 0;
  let errors = 0;
  for (const { id } of due) {
    const done = await withTransaction(ctx, async (ctx) => {
      const [entry] = await ctx.tx.select().from(walletEntries).where(eq(walletEntries.id, id));
      if (!entry || !entry.remaining || entry.remaining <= 0) return false;
      const [wallet] = await ctx.tx.select().from(wallets).where(eq(wallets.id, entry.walletId));
      await ctx.tx.update(walletEntries).set({ remaining: 0 }).where(eq(walletEntries.id, id));
      const debit = await debitWallet(ctx, wallet!, { kind: 'expired', amount: entry.remaining, sourceId: id, description: `Expired: what was left of ${entry.description}` });
      const balance = await walletBalance(ctx.tx, wallet!.id);
      await emit(ctx, [
        {
          type: 'wallet.credit_expired',
          subject: wallet!.customerId,
          data: { customer_id: wallet!.customerId, entry_id: debit.id, grant_id: id, amount: { amount: entry.remaining, currency: wallet!.currency }, balance: { amount: balance, currency: wallet!.currency } },
        },
      ]);
      await afterExpiry(ctx, wallet!.customerId, wallet!.currency);
      return true;
    }).catch((error: unknown) => {
      errors++;
      ctx.logger.error('wallet: expiring a grant failed; the next pass retries', { id, error: describeError(error) });
      return false;
    });
    if (done) expired++;
  }
  return { expired, errors };
}

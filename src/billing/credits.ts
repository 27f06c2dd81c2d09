import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { creditEntries } from '../../db/schema/index.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';

type Reason = (typeof creditEntries.$inferInsert)['reason'];

/** The customer's credit balance in `currency`: the sum of its ledger entries (minor units, ≥ 0). */
export async function creditBalance(db: Executor, customerId: string, currency: string): Promise<number> {
  const [row] = await db
    .select({ balance: sql<number>`coalesce(sum(${creditEntries.amount}), 0)` })
    .from(creditEntries)
    .where(and(eq(creditEntries.customerId, customerId), eq(creditEntries.currency, currency)));
  return Number(row?.balance ?? 0);
}

/**
 * Writes one ledger entry. A positive entry is credit granted to the customer and
 * emits `customer.credit_granted`; a negative one records credit used by an invoice.
 */
export async function addCredit(
  ctx: TxCtx,
  entry: { customerId: string; amount: number; currency: string; reason: Reason; invoiceId?: string | null; description: string },
): Promise<string> {
  const now = ctx.clock.now();
  const id = newId('crd', now);
  await ctx.tx.insert(creditEntries).values({ id, invoiceId: null, ...entry, createdAt: now });
  if (entry.amount > 0) {
    await emit(ctx, [
      {
        type: 'customer.credit_granted',
        subject: entry.customerId,
        data: { customer_id: entry.customerId, credit_id: id, amount: { amount: entry.amount, currency: entry.currency }, reason: entry.reason, description: entry.description },
      },
    ]);
  }
  return id;
}

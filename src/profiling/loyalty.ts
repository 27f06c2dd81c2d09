import { eq } from 'drizzle-orm';
import { loyalty } from '../../db/schema/index.ts';
import { addCredit } from '../billing/credits.ts';
import type { TxCtx } from '../kernel/context.ts';
import { formatMoney, money, multiplyRatio } from '../kernel/money.ts';

/** What one billing or usage event adds to a customer's loyalty. */
export interface LoyaltyChange {
  customerId: string;
  /** An invoice paid: its amount joins the lifetime revenue in its currency, and it counts as a paid invoice. */
  invoicePaid?: { amount: number; currency: string };
  /** A payment succeeded: the customer's first one earns the first-payment bonus. */
  paymentSucceeded?: { amount: number; currency: string };
  /** AI tokens of a usage record this platform accepted. */
  usageTokens?: number;
  /** A subscription was created at this time: the first one is when the customer first subscribed. */
  subscribedAt?: number;
}

type LoyaltyRow = typeof loyalty.$inferSelect;

/**
 * Folds a change into the customer's loyalty row (lifetime revenue, paid invoices, tokens
 * used, first payment and subscription). The first successful payment earns the first-payment
 * bonus: round_half_up(amount × bonus_bps / 10,000) of credit for the next invoice, once per
 * customer (`customer.credit_granted`).
 */
export async function recordLoyalty(ctx: TxCtx, change: LoyaltyChange, options: { firstPaymentBonusBps: number }): Promise<void> {
  const { customerId } = change;
  const now = ctx.clock.now();
  const [existing] = await ctx.tx.select().from(loyalty).where(eq(loyalty.customerId, customerId));
  const row: LoyaltyRow = existing ?? { customerId, revenue: {}, paidInvoices: 0, usageTokens: 0, firstPaymentAt: null, firstSubscribedAt: null, updatedAt: now };
  const { invoicePaid, paymentSucceeded } = change;
  if (invoicePaid) {
    row.revenue = { ...row.revenue, [invoicePaid.currency]: (row.revenue[invoicePaid.currency] ?? 0) + invoicePaid.amount };
    row.paidInvoices += 1;
  }
  if (paymentSucceeded && row.firstPaymentAt === null) {
    row.firstPaymentAt = now;
    const paid = money(paymentSucceeded.amount, paymentSucceeded.currency);
    const bonus = multiplyRatio(paid, options.firstPaymentBonusBps, 10_000);
    if (bonus.amount > 0) {
      await addCredit(ctx, {
        customerId,
        amount: bonus.amount,
        currency: bonus.currency,
        reason: 'first_payment_bonus',
        description: `First-payment bonus: ${options.firstPaymentBonusBps / 100} % of ${formatMoney(paid)}`,
      });
    }
  }
  if (change.usageTokens !== undefined) row.usageTokens += change.usageTokens;
  if (change.subscribedAt !== undefined) row.firstSubscribedAt ??= change.subscribedAt;
  row.updatedAt = now;
  await ctx.tx.insert(loyalty).values(row).onConflictDoUpdate({ target: loyalty.customerId, set: row });
}

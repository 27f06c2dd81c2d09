import { and, asc, eq, inArray, lt, lte, or } from 'drizzle-orm';
import { invoices, subscriptions } from '../../db/schema/index.ts';
import { createContext, systemActor, withTransaction, type ContextServices } from '../kernel/context.ts';
import { describeError, DomainError } from '../kernel/errors.ts';
import { resumeStalledPayments, runPayment, startPayment } from './collect.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { collectionSettings } from './collection-settings.ts';
import { finalizeInvoice } from './finalize.ts';
import { loadInvoice } from './lifecycle.ts';
import { advanceSubscription } from './renewal.ts';
import { expireWalletCredit } from '../wallets/expire.ts';
import { startAutoTopUpIfLow } from './wallet-top-up.ts';

/** What a billing pass runs on: the services its context is made from, and where invoices are charged. */
export type BillingDeps = ContextServices & { payments: PaymentProvider };

export interface BillingReport {
  /** Subscription boundaries crossed (trial ends, renewals, period-end cancellations). */
  advanced: number;
  /** Drafts finalized because their review window ended (with no window, renewals finalize as they draft). */
  finalized: number;
  /** Automatic payment attempts made. */
  attempted: number;
  /** Payments taken over after their worker stopped mid-saga. */
  resumed: number;
  /** Wallet grants whose remaining credit expired. */
  expired: number;
  /** Items that failed and will be retried by the next cycle. */
  errors: number;
}

const BATCH = 100;

/**
 * One pass of the billing worker at the clock's now, in this order:
 *   0. wallet grants past their `expires_at` lose what is left of them (src/wallets/expire.ts),
 *      before anything draws from the wallet;
 *   1. every subscription past a boundary is advanced, one period per transaction, until it is current;
 *   2. drafts whose review window is over are finalized;
 *   3. payments whose worker stopped mid-saga are resumed;
 *   4. open invoices with an automatic attempt due are collected (src/billing/collect.ts, with dunning).
 * Each item is its own transaction, so one failure does not hold up the rest; it is
 * logged, counted and retried by the next pass. Safe to run in several processes at once:
 * renewals are guarded by the subscription's version and the invoice's unique period,
 * payments by the one-live-payment-per-invoice index and the saga's lease.
 */
export async function runBillingCycle(deps: BillingDeps): Promise<BillingReport> {
  const ctx = createContext(deps, systemActor('billing'));
  const settings = collectionSettings(ctx, deps.payments);
  const report: BillingReport = { advanced: 0, finalized: 0, attempted: 0, resumed: 0, expired: 0, errors: 0 };
  const attempt = async (what: string, id: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      report.errors++;
      deps.logger.error(`billing: ${what} failed; the next cycle retries`, { id, error: describeError(error) });
    }
  };

  await attempt('wallet expiry', 'wallets', async () => {
    const expiry = await expireWalletCredit(ctx, startAutoTopUpIfLow);
    report.expired += expiry.expired;
    report.errors += expiry.errors;
  });

  const now = deps.clock.now();
  const due = await deps.db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      or(
        and(eq(subscriptions.status, 'trialing'), lte(subscriptions.trialEnd, now), lt(subscriptions.currentPeriodStart, subscriptions.trialEnd)),
        and(inArray(subscriptions.status, ['active', 'past_due']), lte(subscriptions.currentPeriodEnd, now)),
      ),
    )
    .orderBy(asc(subscriptions.id))
    .limit(BATCH);
  for (const { id } of due) {
    await attempt('renewal', id, async () => {
      while (await withTransaction(ctx, (tx) => advanceSubscription(tx, id))) report.advanced++;
    });
  }

  const drafts = await deps.db
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.status, 'draft'), lte(invoices.finalizeAt, deps.clock.now())))
    .orderBy(asc(invoices.id))
    .limit(BATCH);
  for (const { id } of drafts) {
    await attempt('finalization', id, async () => {
      const finalized = await withTransaction(ctx, async (tx) => {
        const draft = await loadInvoice(tx.tx, id);
        if (draft.status !== 'draft') return false;
        await finalizeInvoice(tx, draft);
        return true;
      });
      if (finalized) report.finalized++;
    });
  }

  report.resumed += await resumeStalledPayments(ctx, settings);

  const collectable = await deps.db
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.status, 'open'), eq(invoices.autoCollect, true), lte(invoices.nextAttemptAt, deps.clock.now())))
    .orderBy(asc(invoices.nextAttemptAt), asc(invoices.id))
    .limit(BATCH);
  for (const { id } of collectable) {
    await attempt('collection', id, async () => {
      let paymentId: string;
      try {
        paymentId = (await startPayment(ctx, id, { trigger: 'automatic' }, settings)).id;
      } catch (error) {
        // Paid, voided or already being paid since the query: nothing to collect.
        if (error instanceof DomainError && (error.code === 'conflict' || error.code === 'invalid_transition')) return;
        throw error;
      }
      report.attempted++;
      await runPayment(ctx, paymentId, settings);
    });
  }
  return report;
}

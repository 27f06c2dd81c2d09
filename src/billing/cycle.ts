import { and, asc, eq, inArray, isNull, lt, lte, notInArray, or, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { billedSubscriptionStatuses, invoices, payments, subscriptions } from '../../db/schema/index.ts';
import { customerIdsOnClock, sandboxCustomerIds } from '../customers/clock.ts';
import { createContext, systemActor, withTransaction, type ContextServices } from '../kernel/context.ts';
import { describeError, DomainError } from '../kernel/errors.ts';
import { flagBillingFailure } from './billing-failure.ts';
import { resumeStalledPayments, runPayment, startPayment } from './collect.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import { collectionSettings } from './collection-settings.ts';
import { dueEarlyInvoices, invoiceEarly } from './early-invoice.ts';
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
  /** Early invoices made for usage thresholds with `invoice_early` (progressive billing). */
  invoicedEarly: number;
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
 * Whose items a pass handles: the live customers (the worker's normal run), or the
 * sandbox customers of one test clock (an advance of that clock, src/test-clocks/advance.ts).
 */
export type BillingScope = { testClockId?: string | undefined };

/** Restricts a customer id column to the pass's scope: live customers are those on no test clock. */
export function customersInScope(db: Db, column: SQLWrapper, scope: BillingScope) {
  return scope.testClockId === undefined ? notInArray(column, sandboxCustomerIds(db)) : inArray(column, customerIdsOnClock(db, scope.testClockId));
}

/**
 * One pass of the billing worker at the clock's now, in this order:
 *   0. wallet grants past their `expires_at` lose what is left of them (src/wallets/expire.ts),
 *      before anything draws from the wallet;
 *   1. every subscription past a boundary is advanced, one period per transaction, until it is current;
 *   1b. usage thresholds reached with `invoice_early` get their early invoice, drafted and finalized
 *      (after renewals, so a period that has ended is billed by its period-end invoice alone);
 *   2. drafts whose review window is over are finalized;
 *   3. payments whose worker stopped mid-saga are resumed;
 *   4. open invoices with an automatic attempt due are collected (src/billing/collect.ts, with dunning).
 * Each item is its own transaction, so one failure does not hold up the rest; it is
 * logged, counted and retried by the next pass. A subscription whose renewal fails is also
 * flagged (`billing_error`, `subscription.billing_failed` once; src/billing/billing-failure.ts)
 * and left out of the passes until its `billing_retry_at`. Safe to run in several processes at once:
 * renewals are guarded by the subscription's version and the invoice's unique period,
 * payments by the one-live-payment-per-invoice index and the saga's lease.
 *
 * The normal run (no scope) handles live customers only: a sandbox customer's time is its
 * test clock's, so only an advance of that clock runs its pass, with `deps.clock` at the clock's time.
 */
export async function runBillingCycle(deps: BillingDeps, scope: BillingScope = {}): Promise<BillingReport> {
  const ctx = createContext(deps, systemActor('billing'));
  const settings = collectionSettings(ctx, deps.payments);
  const report: BillingReport = { advanced: 0, invoicedEarly: 0, finalized: 0, attempted: 0, resumed: 0, expired: 0, errors: 0 };
  const attempt = async (what: string, id: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      report.errors++;
      deps.logger.error(`billing: ${what} failed; the next cycle retries`, { id, error: describeError(error) });
    }
  };

  await attempt('wallet expiry', 'wallets', async () => {
    const expiry = await expireWalletCredit(ctx, startAutoTopUpIfLow, (customerId) => customersInScope(deps.db, customerId, scope));
    report.expired += expiry.expired;
    report.errors += expiry.errors;
  });

  const now = deps.clock.now();
  const due = await deps.db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        or(
          and(eq(subscriptions.status, 'trialing'), lte(subscriptions.trialEnd, now), lt(subscriptions.currentPeriodStart, subscriptions.trialEnd)),
          and(inArray(subscriptions.status, billedSubscriptionStatuses), lte(subscriptions.currentPeriodEnd, now)),
        ),
        // One whose renewal failed waits for its retry time instead of taking a place in every batch.
        or(isNull(subscriptions.billingRetryAt), lte(subscriptions.billingRetryAt, now)),
        customersInScope(deps.db, subscriptions.customerId, scope),
      ),
    )
    .orderBy(asc(subscriptions.id))
    .limit(BATCH);
  for (const { id } of due) {
    await attempt('renewal', id, async () => {
      try {
        while (await withTransaction(ctx, (tx) => advanceSubscription(tx, id))) report.advanced++;
      } catch (error) {
        // Flagged on the subscription (and told once as `subscription.billing_failed`), then logged and counted as before.
        await flagBillingFailure(ctx, id, error);
        throw error;
      }
    });
  }

  for (const due of await dueEarlyInvoices(deps.db, BATCH, (customerId) => customersInScope(deps.db, customerId, scope))) {
    await attempt('early invoice', due.thresholdId, async () => {
      if (await withTransaction(ctx, (tx) => invoiceEarly(tx, due))) report.invoicedEarly++;
    });
  }

  const drafts = await deps.db
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.status, 'draft'), lte(invoices.finalizeAt, deps.clock.now()), customersInScope(deps.db, invoices.customerId, scope)))
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

  report.resumed += await resumeStalledPayments(ctx, settings, customersInScope(deps.db, payments.customerId, scope));

  const collectable = await deps.db
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.status, 'open'), eq(invoices.autoCollect, true), lte(invoices.nextAttemptAt, deps.clock.now()), customersInScope(deps.db, invoices.customerId, scope)))
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

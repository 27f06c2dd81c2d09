import { and, eq } from 'drizzle-orm';
import { invoiceLines, invoices } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { onCustomerClock } from '../customers/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import type { ResumableWrite } from '../kernel/resumable.ts';
import { newId } from '../kernel/ids.ts';
import { getPayment } from '../payments/queries.ts';
import { configureAutoTopUp } from '../wallets/auto-top-up.ts';
import type { AutoTopUpInput, TopUpInput } from '../wallets/contract.ts';
import { walletCurrency } from '../wallets/currency.ts';
import { getWallet } from '../wallets/queries.ts';
import { ensureWallet, findWallet, walletBalance, type WalletRow } from '../wallets/ledger.ts';
import { collectStarted, startedPayment, startPayment, type StartedPayment } from './collect.ts';
import type { CollectionSettings } from './collection-settings.ts';
import { loadInvoiceLines, nextInvoiceNumber } from './lifecycle.ts';
import { newInvoiceDefaults, toInvoiceResource, toInvoiceSnapshot, type InvoiceRow } from './present.ts';

/** A top-up's answer: its invoice and its payment. */
export interface TopUpResource {
  object: 'wallet_top_up';
  invoice: ReturnType<typeof toInvoiceResource>;
  payment: Awaited<ReturnType<typeof getPayment>>;
}

/**
 * Opens the invoice that pays a top-up of `amount` into `wallet`: billing reason
 * `wallet_top_up`, no subscription, one `wallet_top_up` line, finalized at once
 * (numbered, `invoice.created` then `invoice.finalized`) and due now, so the payment
 * saga collects it like any invoice, with dunning. No tax: buying prepaid credit is
 * not a supply; tax is charged on the invoices the wallet later pays. Neither the
 * customer's credit nor the wallet itself pays a top-up.
 */
export async function openTopUpInvoice(ctx: TxCtx, wallet: WalletRow, amount: number, description: string): Promise<InvoiceRow> {
  const now = ctx.clock.now();
  const id = newId('inv', now);
  const number = await nextInvoiceNumber(ctx.tx);
  const [row] = await ctx.tx
    .insert(invoices)
    .values({
      ...newInvoiceDefaults(now),
      id,
      number,
      customerId: wallet.customerId,
      subscriptionId: null,
      status: 'open',
      billingReason: 'wallet_top_up',
      currency: wallet.currency,
      periodStart: now,
      periodEnd: now,
      subtotal: amount,
      taxRateBps: 0,
      tax: 0,
      total: amount,
      creditApplied: 0,
      walletApplied: 0,
      amountDue: amount,
      nextAttemptAt: now,
      finalizeAt: now,
      finalizedAt: now,
    })
    .returning();
  await ctx.tx.insert(invoiceLines).values({ id: newId('inl', now), invoiceId: id, kind: 'wallet_top_up', description, amount, quantity: 1, periodStart: now, periodEnd: now, sourceId: null });
  const snapshot = toInvoiceSnapshot(row!);
  await emit(ctx, [
    { type: 'invoice.created', subject: id, data: { invoice: { ...snapshot, status: 'draft', number: null } } },
    { type: 'invoice.finalized', subject: id, data: { invoice: snapshot } },
  ]);
  return row!;
}

/** A top-up invoice of the wallet still being collected (open), if any: auto top-up starts no second one. */
export async function topUpInFlight(ctx: TxCtx, wallet: WalletRow): Promise<boolean> {
  const [row] = await ctx.tx
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.customerId, wallet.customerId), eq(invoices.currency, wallet.currency), eq(invoices.billingReason, 'wallet_top_up'), eq(invoices.status, 'open')))
    .limit(1);
  return row !== undefined;
}

/**
 * Starts an auto top-up when the wallet's balance is under its threshold: opens a
 * top-up invoice of the configured amount (due now: the billing pass's saga collects
 * it) and emits `wallet.auto_top_up_started`. At most one at a time: none starts
 * while a top-up invoice of the wallet is still open. Returns the invoice id, or null.
 */
export async function startAutoTopUpIfLow(ctx: TxCtx, customerId: string, currency: string): Promise<string | null> {
  const wallet = await findWallet(ctx.tx, customerId, currency);
  if (!wallet?.autoTopUpEnabled || wallet.autoTopUpAmount <= 0) return null;
  const balance = await walletBalance(ctx.tx, wallet.id);
  if (balance >= wallet.autoTopUpThreshold || (await topUpInFlight(ctx, wallet))) return null;
  const invoice = await openTopUpInvoice(ctx, wallet, wallet.autoTopUpAmount, `Automatic wallet top-up (balance ${balance} under ${wallet.autoTopUpThreshold})`);
  await emit(ctx, [
    {
      type: 'wallet.auto_top_up_started',
      subject: customerId,
      data: {
        customer_id: customerId,
        invoice_id: invoice.id,
        amount: { amount: wallet.autoTopUpAmount, currency },
        balance: { amount: balance, currency },
        threshold: { amount: wallet.autoTopUpThreshold, currency },
      },
    },
  ]);
  return invoice.id;
}

/**
 * A top-up asked for through the API: opens its invoice and starts its payment in
 * one transaction (the recovery point: both ids), runs the payment saga as an
 * automatic attempt (so a decline is dunned like any invoice), and answers with the
 * invoice and the payment. The wallet is credited only when the invoice is paid
 * (src/wallets/top-up.ts). Resumable (src/kernel/resumable.ts): a retry after a crash
 * finishes this top-up's payment instead of opening a second invoice.
 */
export function topUpWalletWrite(customerId: string, input: TopUpInput, settings: CollectionSettings): ResumableWrite<StartedPayment & { invoice_id: string }, void, TopUpResource> {
  return {
    async begin(outer) {
      // A sandbox customer's top-up happens at its test clock's time (src/customers/clock.ts).
      const ctx = await onCustomerClock(outer, customerId);
      await walletCurrency(ctx.tx, customerId, input.currency);
      const wallet = await ensureWallet(ctx, customerId, input.currency);
      const invoice = await openTopUpInvoice(ctx, wallet, input.amount, 'Wallet top-up');
      await recordAudit(ctx, { action: 'wallet.top_up', targetType: 'customer', targetId: customerId, data: { invoice_id: invoice.id, amount: input.amount, currency: input.currency } });
      const payment = await startPayment(ctx, invoice.id, { trigger: 'automatic' }, settings);
      return { ...startedPayment(payment), invoice_id: invoice.id };
    },
    async proceed(outer, point, resumed) {
      await collectStarted(await onCustomerClock(outer, customerId), point, resumed, settings);
    },
    async finish(ctx, point) {
      const [payment, [invoice]] = await Promise.all([getPayment(ctx.tx, point.payment_id), ctx.tx.select().from(invoices).where(eq(invoices.id, point.invoice_id))]);
      return { object: 'wallet_top_up' as const, invoice: toInvoiceResource(invoice!, await loadInvoiceLines(ctx.tx, point.invoice_id)), payment };
    },
  };
}

/**
 * Saves a wallet's auto top-up settings (src/wallets/auto-top-up.ts) and, when they
 * are on and the balance is already under the threshold, starts a top-up at once.
 * Answers with the customer's wallets.
 */
export async function setAutoTopUp(outer: TxCtx, customerId: string, input: AutoTopUpInput) {
  const ctx = await onCustomerClock(outer, customerId);
  const currency = await configureAutoTopUp(ctx, customerId, input);
  await startAutoTopUpIfLow(ctx, customerId, currency);
  return getWallet(ctx.tx, customerId);
}

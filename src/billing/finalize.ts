import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { addCredit, creditBalance } from './credits.ts';
import { loadInvoice, loadInvoiceLines, nextInvoiceNumber, requireInvoiceTransition, saveInvoice } from './lifecycle.ts';
import { markInvoicePaid } from './paid.ts';
import { toInvoiceResource, toInvoiceSnapshot, type InvoiceRow } from './present.ts';
import { invoiceTotals } from './totals.ts';
import { startAutoTopUpIfLow } from './wallet-top-up.ts';
import { drawFromWallet } from '../wallets/draw.ts';

/**
 * Finalizes a draft: gives it the next number, applies the customer's credit
 * balance (src/billing/totals.ts), then the prepaid wallet pays what it can of the rest
 * (src/wallets/draw.ts; amount_due = total − credit_applied − wallet_applied), and opens
 * it for collection, due now when it is collected automatically. A negative total becomes customer credit. With nothing
 * left to pay it is paid at once. Emits `invoice.finalized` (and `invoice.paid`).
 */
export async function finalizeInvoice(ctx: TxCtx, draft: InvoiceRow): Promise<InvoiceRow> {
  const status = requireInvoiceTransition(draft, 'finalize');
  const lines = await loadInvoiceLines(ctx.tx, draft.id);
  const balance = await creditBalance(ctx.tx, draft.customerId, draft.currency);
  const totals = invoiceTotals({ lineAmounts: lines.map((l) => l.amount), currency: draft.currency, taxRateBps: draft.taxRateBps, creditBalance: balance });
  const number = await nextInvoiceNumber(ctx.tx);
  const now = ctx.clock.now();
  if (totals.creditApplied > 0) {
    await addCredit(ctx, { customerId: draft.customerId, amount: -totals.creditApplied, currency: draft.currency, reason: 'invoice_applied', invoiceId: draft.id, description: `Applied to ${number}` });
  }
  if (totals.creditGranted > 0) {
    await addCredit(ctx, { customerId: draft.customerId, amount: totals.creditGranted, currency: draft.currency, reason: 'negative_invoice', invoiceId: draft.id, description: `${number} came to less than zero` });
  }
  const walletApplied = await drawFromWallet(ctx, draft, number, totals.amountDue);
  const amountDue = totals.amountDue - walletApplied;
  const open = await saveInvoice(ctx, draft, {
    status,
    number,
    subtotal: totals.subtotal,
    tax: totals.tax,
    total: totals.total,
    creditApplied: totals.creditApplied,
    walletApplied,
    amountDue,
    finalizedAt: now,
    nextAttemptAt: amountDue > 0 && draft.autoCollect ? now : null,
  });
  await emit(ctx, [{ type: 'invoice.finalized', subject: open.id, data: { invoice: toInvoiceSnapshot(open) } }]);
  const result = amountDue === 0 ? await markInvoicePaid(ctx, open, null) : open;
  if (walletApplied > 0) await startAutoTopUpIfLow(ctx, draft.customerId, draft.currency);
  return result;
}

/**
 * Finalizes a draft whose review window is already over, in the caller's transaction:
 * with `INVOICE_DRAFT_MINUTES=0` an invoice is finalized in the transaction that drafts
 * it, so it is open (and payable) at once. Call it after the drafting verb emitted its
 * own events, so they come in the order a billing pass would give them.
 */
export async function finalizeIfDue(ctx: TxCtx, invoice: InvoiceRow | null): Promise<InvoiceRow | null> {
  if (invoice?.status !== 'draft' || invoice.finalizeAt > ctx.clock.now()) return invoice;
  return finalizeInvoice(ctx, invoice);
}

/**
 * An operator finalizes a draft now, before its review window ends: the same
 * finalization as the billing pass (number, credit, `invoice.finalized`), audited.
 * Any other status is a 409 `invalid_transition`, as for voiding.
 */
export function finalizeInvoiceNow(ctx: Ctx, id: string) {
  return withTransaction(ctx, async (outer) => {
    const draft = await loadInvoice(outer.tx, id);
    // A sandbox customer's invoice is finalized (numbered, due) at its test clock's time.
    const ctx = await onCustomerClock(outer, draft.customerId);
    const row = await finalizeInvoice(ctx, draft);
    await recordAudit(ctx, { action: 'invoice.finalize', targetType: 'invoice', targetId: id, data: { previous_status: draft.status, status: row.status } });
    return toInvoiceResource(row, await loadInvoiceLines(ctx.tx, id));
  });
}

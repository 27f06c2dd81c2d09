import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { addCredit } from './credits.ts';
import { loadInvoice, loadInvoiceLines, requireInvoiceTransition, saveInvoice } from './lifecycle.ts';
import { toInvoiceResource, toInvoiceSnapshot } from './present.ts';
import { returnWalletDraw } from '../wallets/draw.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import { expireIncomplete } from './expire-incomplete.ts';

/**
 * Voids a draft or open invoice (409 otherwise): nothing more is collected, dunning
 * stops, and credit it had used goes back to the customer, what it drew from the
 * wallet back to the wallet (src/wallets/draw.ts). A payment already being
 * charged is refunded by its saga when it finds the invoice void. Emits `invoice.voided`.
 * Voiding the first invoice of an `incomplete` subscription leaves it nothing to pay to start,
 * so the subscription expires with it (src/billing/expire-incomplete.ts).
 */
export function voidInvoice(ctx: Ctx, id: string) {
  return withTransaction(ctx, async (outer) => {
    const current = await loadInvoice(outer.tx, id);
    // A sandbox customer's invoice is voided at its test clock's time.
    const ctx = await onCustomerClock(outer, current.customerId);
    const status = requireInvoiceTransition(current, 'void');
    const row = await saveInvoice(ctx, current, { status, voidedAt: ctx.clock.now(), nextAttemptAt: null });
    if (current.creditApplied > 0) {
      await addCredit(ctx, { customerId: row.customerId, amount: current.creditApplied, currency: row.currency, reason: 'invoice_voided', invoiceId: id, description: `Credit back from voided ${row.number ?? row.id}` });
    }
    await returnWalletDraw(ctx, current);
    await emit(ctx, [{ type: 'invoice.voided', subject: id, data: { invoice: toInvoiceSnapshot(row) } }]);
    if (row.subscriptionId && row.billingReason === 'subscription_create') await expireIncomplete(ctx, await loadSubscription(ctx.tx, row.subscriptionId));
    await recordAudit(ctx, { action: 'invoice.void', targetType: 'invoice', targetId: id, data: { previous_status: current.status } });
    return toInvoiceResource(row, await loadInvoiceLines(ctx.tx, id));
  });
}

import { and, asc, eq, inArray } from 'drizzle-orm';
import { invoices } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { TxCtx } from '../kernel/context.ts';
import { saveInvoice } from './lifecycle.ts';
import { voidInvoice } from './void.ts';

/**
 * Stops billing a customer that is going away (erasure), in the caller's
 * transaction. Drafts are voided with the void verb (`invoice.voided`): they were
 * never issued. Open (finalized) invoices stay open: an issued invoice records a
 * debt and is kept, but nothing is charged automatically any more (`auto_collect`
 * off, no attempt planned, so dunning stops); an operator may still void one or take
 * a manual payment. Returns the ids it voided and the ones it kept open.
 */
export async function stopBillingCustomer(ctx: TxCtx, customerId: string): Promise<{ voided: string[]; keptOpen: string[] }> {
  const pending = await ctx.tx
    .select()
    .from(invoices)
    .where(and(eq(invoices.customerId, customerId), inArray(invoices.status, ['draft', 'open'])))
    .orderBy(asc(invoices.id));
  const voided: string[] = [];
  const keptOpen: string[] = [];
  for (const invoice of pending) {
    if (invoice.status === 'draft') {
      await voidInvoice(ctx, invoice.id);
      voided.push(invoice.id);
      continue;
    }
    if (invoice.autoCollect || invoice.nextAttemptAt !== null) await saveInvoice(ctx, invoice, { autoCollect: false, nextAttemptAt: null });
    await recordAudit(ctx, { action: 'invoice.stop_collection', targetType: 'invoice', targetId: invoice.id, data: { reason: 'customer_erased' } });
    keptOpen.push(invoice.id);
  }
  return { voided, keptOpen };
}

import { eq } from 'drizzle-orm';
import { customers, invoiceDocuments } from '../../db/schema/index.ts';
import { loadInvoice, loadInvoiceLines } from '../billing/lifecycle.ts';
import { emit } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { invoiceDocumentContent, type Issuer } from './content.ts';
import type { InvoiceRenderer } from './renderer.ts';

export interface GenerateOptions {
  render: InvoiceRenderer;
  issuer: Issuer;
  /** BCP 47 locale the amounts and counts are written in (INVOICE_LOCALE). */
  locale: string;
}

/** Lowercase hex SHA-256 of `bytes` (WebCrypto). */
async function sha256Of(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The address lines in a customer's `metadata.address` (one string, lines separated by `|`), if any. */
function addressOf(metadata: Record<string, unknown>): string[] {
  const address = metadata.address;
  return typeof address === 'string' ? address.split('|').map((l) => l.trim()).filter(Boolean) : [];
}

/**
 * Stores the document of a finalized invoice, once: `created` the first time, `stamped`
 * when the invoice was voided after its document was made (rendered again with the VOID
 * stamp), `unchanged` when the stored one already says what the invoice is (a redelivery),
 * `skipped` for an invoice that never got a number (a draft, or voided as a draft).
 * Emits `invoice.document_generated` for `created` and `stamped`.
 */
export async function generateInvoiceDocument(ctx: TxCtx, invoiceId: string, options: GenerateOptions): Promise<'created' | 'stamped' | 'unchanged' | 'skipped'> {
  const invoice = await loadInvoice(ctx.tx, invoiceId);
  if (invoice.number === null || invoice.finalizedAt === null) return 'skipped';
  const voided = invoice.status === 'void';
  const [existing] = await ctx.tx.select({ voided: invoiceDocuments.voided }).from(invoiceDocuments).where(eq(invoiceDocuments.invoiceId, invoiceId));
  if (existing && existing.voided === voided) return 'unchanged';

  const [customer] = await ctx.tx.select().from(customers).where(eq(customers.id, invoice.customerId));
  const lines = await loadInvoiceLines(ctx.tx, invoiceId);
  const content = invoiceDocumentContent(
    {
      ...invoice,
      number: invoice.number,
      finalizedAt: invoice.finalizedAt,
      voided,
      lines,
      customer: { name: customer?.name ?? null, email: customer?.email ?? null, country: customer?.country ?? null, address: addressOf(customer?.metadata ?? {}) },
    },
    options.issuer,
    options.locale,
  );
  const rendered = await options.render(content);
  const values = { contentType: rendered.contentType, content: rendered.bytes, sha256: await sha256Of(rendered.bytes), size: rendered.bytes.length, voided, createdAt: ctx.clock.now() };
  await ctx.tx.insert(invoiceDocuments).values({ invoiceId, ...values }).onConflictDoUpdate({ target: invoiceDocuments.invoiceId, set: values });
  await emit(ctx, [
    {
      type: 'invoice.document_generated',
      subject: invoiceId,
      data: { invoice_id: invoiceId, number: invoice.number, customer_id: invoice.customerId, content_type: values.contentType, sha256: values.sha256, size: values.size, voided },
    },
  ]);
  return existing ? 'stamped' : 'created';
}

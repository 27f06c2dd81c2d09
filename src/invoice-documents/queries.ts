import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { invoiceDocuments } from '../../db/schema/index.ts';
import { loadInvoice } from '../billing/lifecycle.ts';
import { DomainError } from '../kernel/errors.ts';

/** Seconds a client is told to wait before asking again for a document not made yet. */
const RETRY_AFTER_SECONDS = 5;

/** A stored document as the route serves it. */
export interface StoredInvoiceDocument {
  filename: string;
  contentType: string;
  content: Uint8Array<ArrayBuffer>;
  sha256: string;
}

/**
 * The stored document of an invoice. 404 `not_found` with `reason`: `not_finalized` (a
 * draft has no document) or `not_generated` (finalized, but the `invoice-documents` worker
 * has not made it yet: `retry: true` and `retry_after`). Where this deployment renders no
 * documents at all (`renders` false: Workers, whose database no server worker reaches),
 * `not_generated` says so with `retry: false`, since waiting would not help.
 */
export async function getInvoiceDocument(db: Executor, invoiceId: string, renders: boolean): Promise<StoredInvoiceDocument> {
  const invoice = await loadInvoice(db, invoiceId);
  if (invoice.number === null) {
    throw new DomainError('not_found', `Invoice ${invoiceId} is not finalized yet: a draft has no document`, { resource: 'invoice_document', id: invoiceId, reason: 'not_finalized', retry: false });
  }
  const [stored] = await db.select().from(invoiceDocuments).where(eq(invoiceDocuments.invoiceId, invoiceId));
  if (!stored && !renders) {
    throw new DomainError('not_found', `The document of invoice ${invoice.number} does not exist: this deployment generates no invoice documents (they need a server runtime)`, {
      resource: 'invoice_document',
      id: invoiceId,
      reason: 'not_generated',
      retry: false,
    });
  }
  if (!stored) {
    throw new DomainError('not_found', `The document of invoice ${invoice.number} is not generated yet; try again in a few seconds`, {
      resource: 'invoice_document',
      id: invoiceId,
      reason: 'not_generated',
      retry: true,
      retry_after: RETRY_AFTER_SECONDS,
    });
  }
  return { filename: `${invoice.number}.pdf`, contentType: stored.contentType, content: stored.content, sha256: stored.sha256 };
}

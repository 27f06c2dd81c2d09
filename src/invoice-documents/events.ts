import * as v from 'valibot';
import { whole } from '../events/shapes.ts';

/** An invoice's stored document (docs/invoice-documents.md); subject: the invoice. */
export const invoiceDocumentEvents = {
  /** An invoice's document (its PDF) was stored, or stored again with the VOID stamp; served at GET /v1/invoices/:id/pdf. */
  'invoice.document_generated': v.object({
    invoice_id: v.string(),
    number: v.string(),
    customer_id: v.string(),
    content_type: v.string(),
    sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
    size: whole,
    voided: v.boolean(),
  }),
} as const;

import type { InvoiceDocumentContent } from './content.ts';

/** A rendered document: its bytes and media type. */
export interface RenderedDocument {
  contentType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Turns an invoice's content into a document. The PDF adapter (`pdfkit.ts`) reads font
 * files, so only server entries build it (`src/build-deps.ts`); where there is none (the
 * Workers entry) the `invoice-documents` group does not run and the route serves what a
 * server stored.
 */
export type InvoiceRenderer = (content: InvoiceDocumentContent) => Promise<RenderedDocument>;

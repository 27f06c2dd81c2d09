import { Hono } from 'hono';
import { invoiceParams } from '../billing/contract.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { getInvoiceDocument } from './queries.ts';

/** /v1/invoices/:id/pdf: the stored document of a finalized invoice, as made by the `invoice-documents` worker. */
export function invoiceDocumentRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/:id/pdf',
    doc({
      summary: "Download an invoice's PDF",
      description:
        'The document stored when the invoice was finalized (`invoice.document_generated`), with the number, lines, tax, credit and totals in the invoice\'s currency; a voided invoice keeps its document, stamped VOID. `ETag` is the SHA-256 of the file (`If-None-Match` answers 304). 404 `not_found` with `reason`: `not_finalized` for a draft, `not_generated` (with `retry: true`, `retry_after` and `Retry-After`) while the worker has not made it yet (`retry: false` on a deployment that makes none: Workers).',
      tags: ['Invoices'],
      access: 'viewer',
      scope: 'invoices:read',
      tenant: 'invoice',
      success: { status: 200, description: 'The PDF', binary: 'application/pdf' },
      errors: [404],
    }),
    validate('param', invoiceParams),
    async (c) => {
      const deps = c.get('deps');
      const document = await getInvoiceDocument(deps.db, c.req.valid('param').id, deps.invoiceRenderer !== undefined);
      const etag = `"${document.sha256}"`;
      const headers = { ETag: etag, 'Cache-Control': 'private, no-cache' };
      if (c.req.header('If-None-Match') === etag) return c.body(null, 304, headers);
      return c.body(document.content, 200, { ...headers, 'Content-Type': document.contentType, 'Content-Disposition': `inline; filename="${document.filename}"` });
    },
  );
  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const invoiceDocumentMounts: Mount[] = [mount('/invoices', invoiceDocumentRoutes)];

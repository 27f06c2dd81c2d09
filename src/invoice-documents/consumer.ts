import { onCustomerClock } from '../customers/clock.ts';
import type { EventHandler } from '../bus/consumer.ts';
import type { EventType, KnownEvent } from '../events/catalog.ts';
import { generateInvoiceDocument, type GenerateOptions } from './generate.ts';

export const invoiceDocumentTypes = ['invoice.finalized', 'invoice.voided'] as const satisfies readonly EventType[];

/**
 * The `invoice-documents` group: makes the document of each finalized invoice and stamps it
 * VOID when the invoice is voided. It reads the invoice as it is now, not as the event
 * carried it, so the order the two events arrive in (one topic each on Kafka) does not
 * matter, and a redelivery finds the document already there and makes nothing.
 */
export function createInvoiceDocumentsHandler(options: GenerateOptions): EventHandler {
  return {
    group: 'invoice-documents',
    types: invoiceDocumentTypes,
    async handle(ctx, event) {
      const { invoice } = (event as KnownEvent<'invoice.finalized'>).data;
      // A sandbox customer's document is dated at its test clock's time.
      await generateInvoiceDocument(await onCustomerClock(ctx, invoice.customer_id), invoice.id, options);
    },
  };
}

import { customType, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';
import { invoices } from './billing.ts';

/**
 * Raw bytes as a BLOB, read back as a Uint8Array on every driver: libSQL answers an
 * ArrayBuffer, a Durable Object's storage an ArrayBuffer too; drizzle's own `buffer`
 * mode needs Node's Buffer, which the Workers runtime does not have without nodejs_compat.
 */
const bytes = customType<{ data: Uint8Array<ArrayBuffer>; driverData: ArrayBuffer | Uint8Array }>({
  dataType: () => 'blob',
  toDriver: (value) => value,
  fromDriver: (value) => (value instanceof ArrayBuffer ? new Uint8Array(value) : Uint8Array.from(value)),
});

/**
 * One stored document per finalized invoice (its PDF), made once by the
 * `invoice-documents` consumer group on a server runtime and served as stored by
 * every runtime. `voided` says whether it carries the VOID stamp: voiding renders it again.
 */
export const invoiceDocuments = sqliteTable('invoice_documents', {
  invoiceId: text('invoice_id')
    .primaryKey()
    .references(() => invoices.id),
  contentType: text('content_type').notNull(),
  content: bytes('content').notNull(),
  /** Lowercase hex SHA-256 of `content`; the route's ETag. */
  sha256: text('sha256').notNull(),
  size: integer('size').notNull(),
  voided: integer('voided', { mode: 'boolean' }).notNull().default(false),
  createdAt: timestamp('created_at').notNull(),
});

import type { InferSelectModel } from 'drizzle-orm';
import type { invoiceLines, invoices } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { InvoiceResource } from './contract.ts';

export type InvoiceRow = InferSelectModel<typeof invoices>;
export type InvoiceLineRow = InferSelectModel<typeof invoiceLines>;

/** The invoice as carried inside events. */
export function toInvoiceSnapshot(row: InvoiceRow): EventData<'invoice.created'>['invoice'] {
  return {
    id: row.id,
    number: row.number,
    customer_id: row.customerId,
    subscription_id: row.subscriptionId,
    status: row.status,
    billing_reason: row.billingReason,
    currency: row.currency,
    period_start: toIso(row.periodStart),
    period_end: toIso(row.periodEnd),
    subtotal: row.subtotal,
    tax: row.tax,
    total: row.total,
    credit_applied: row.creditApplied,
    wallet_applied: row.walletApplied,
    amount_due: row.amountDue,
    amount_paid: row.amountPaid,
    attempt_count: row.attemptCount,
    next_attempt_at: toIsoOrNull(row.nextAttemptAt),
  };
}

/** The API shape of an invoice with its lines. */
export function toInvoiceResource(row: InvoiceRow, lines: InvoiceLineRow[]): InvoiceResource {
  const { id, ...rest } = toInvoiceSnapshot(row);
  return {
    id,
    object: 'invoice',
    ...rest,
    tax_rate_bps: row.taxRateBps,
    auto_collect: row.autoCollect,
    lines: lines.map((l) => ({
      id: l.id,
      kind: l.kind,
      description: l.description,
      amount: l.amount,
      quantity: l.quantity,
      period_start: toIso(l.periodStart),
      period_end: toIso(l.periodEnd),
      source_id: l.sourceId,
      meter: l.meter,
      dimensions: l.dimensions,
      unit_price: l.unitPrice,
      pricing: l.pricing,
    })),
    created_at: toIso(row.createdAt),
    finalized_at: toIsoOrNull(row.finalizedAt),
    paid_at: toIsoOrNull(row.paidAt),
    voided_at: toIsoOrNull(row.voidedAt),
    uncollectible_at: toIsoOrNull(row.uncollectibleAt),
    updated_at: toIso(row.updatedAt),
    version: row.version,
  };
}

/** The columns every new invoice starts with: nothing paid or attempted yet, collected automatically, version 1. */
export const newInvoiceDefaults = (now: number) => ({
  amountPaid: 0,
  autoCollect: true,
  attemptCount: 0,
  firstFailedAt: null,
  paidAt: null,
  voidedAt: null,
  uncollectibleAt: null,
  createdAt: now,
  updatedAt: now,
  version: 1,
});

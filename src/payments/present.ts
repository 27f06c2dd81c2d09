import type { InferSelectModel } from 'drizzle-orm';
import type { payments, paymentSteps } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso } from '../kernel/clock.ts';
import type { PaymentResource } from './contract.ts';

export type PaymentRow = InferSelectModel<typeof payments>;
export type PaymentStepRow = InferSelectModel<typeof paymentSteps>;

export function toPaymentSnapshot(row: PaymentRow): EventData<'payment.initiated'>['payment'] {
  return {
    id: row.id,
    invoice_id: row.invoiceId,
    customer_id: row.customerId,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    trigger: row.trigger,
    attempt: row.attempt,
    failure_code: row.failureCode,
  };
}

/** The API shape of a payment with its saga's steps. */
export function toPaymentResource(row: PaymentRow, steps: PaymentStepRow[]): PaymentResource {
  const { id, ...rest } = toPaymentSnapshot(row);
  return {
    id,
    object: 'payment',
    ...rest,
    failure_message: row.failureMessage,
    provider: row.provider,
    provider_reference: row.providerReference,
    refund_reference: row.refundReference,
    steps: steps.map((s) => ({ seq: s.seq, name: s.name, outcome: s.outcome, detail: s.detail, at: toIso(s.at) })),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

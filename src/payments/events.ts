import * as v from 'valibot';
import { paymentStatuses, paymentTriggers } from '../../db/schema/index.ts';
import { currency, iso, whole } from '../events/shapes.ts';

/** A payment attempt inside events; the payment method token is never carried. */
const paymentSnapshot = v.object({
  id: v.string(),
  invoice_id: v.string(),
  customer_id: v.string(),
  amount: whole,
  currency,
  status: v.picklist(paymentStatuses),
  trigger: v.picklist(paymentTriggers),
  attempt: whole,
  failure_code: v.nullable(v.string()),
});

/** A payment attempt's course (the payment saga); subject: the payment. */
export const paymentEvents = {
  'payment.initiated': v.object({ payment: paymentSnapshot }),
  /** The provider took the money; `invoice.paid` follows, or `payment.refunded` if it cannot. */
  'payment.succeeded': v.object({ payment: paymentSnapshot }),
  /** Declined or timed out; `next_attempt_at` is the next automatic retry, null when there is none. */
  'payment.failed': v.object({ payment: paymentSnapshot, failure_message: v.string(), next_attempt_at: v.nullable(iso), final: v.boolean() }),
  /** Money taken for nothing was given back (the saga's compensation). */
  'payment.refunded': v.object({ payment: paymentSnapshot, reason: v.string() }),
} as const;

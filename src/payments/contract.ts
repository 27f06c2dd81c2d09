import * as v from 'valibot';
import { paymentStatuses, paymentStepOutcomes, paymentTriggers } from '../../db/schema/index.ts';

export const paymentId = v.pipe(v.string(), v.regex(/^pay_[0-9A-Z]{26}$/, 'must be a payment id (pay_…)'));
export const paymentParams = v.object({ id: paymentId });

export const paymentResource = v.object({
  id: v.string(),
  object: v.literal('payment'),
  invoice_id: v.string(),
  customer_id: v.string(),
  amount: v.number(),
  currency: v.string(),
  status: v.picklist(paymentStatuses),
  trigger: v.picklist(paymentTriggers),
  attempt: v.number(),
  failure_code: v.nullable(v.string()),
  failure_message: v.nullable(v.string()),
  provider: v.string(),
  provider_reference: v.nullable(v.string()),
  refund_reference: v.nullable(v.string()),
  steps: v.array(v.object({ seq: v.number(), name: v.string(), outcome: v.picklist(paymentStepOutcomes), detail: v.record(v.string(), v.unknown()), at: v.string() })),
  created_at: v.string(),
  updated_at: v.string(),
});
export type PaymentResource = v.InferOutput<typeof paymentResource>;

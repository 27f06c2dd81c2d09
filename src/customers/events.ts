import * as v from 'valibot';
import { customerKinds, customerSegments, customerStatuses } from '../../db/schema/index.ts';
import { currency, personal } from '../events/shapes.ts';

const customerSnapshot = v.object({
  id: v.string(),
  name: personal,
  email: personal,
  phone: v.optional(personal),
  kind: v.picklist(customerKinds),
  country: v.nullable(v.string()),
  status: v.picklist(customerStatuses),
  segment: v.picklist(customerSegments),
  /** The currency it is billed in, set by its first subscription; null before. */
  currency: v.optional(v.nullable(currency)),
  /** Only on a sandbox customer's events: the test clock it lives on (docs/test-clocks.md). */
  test_clock_id: v.optional(v.string()),
});

/** A customer's lifecycle events; subject: the customer. */
export const customerEvents = {
  'customer.onboarded': v.object({ customer: customerSnapshot }),
  'customer.activated': v.object({ customer: customerSnapshot, previous_status: v.string() }),
  'customer.deactivated': v.object({ customer: customerSnapshot, previous_status: v.string() }),
  'customer.promoted': v.object({ customer: customerSnapshot, from: v.string(), to: v.string(), reason: v.string() }),
  'customer.updated': v.object({ customer: customerSnapshot, changed: v.array(v.string()) }),
  'customer.erased': v.object({ customer_id: v.string() }),
} as const;

import * as v from 'valibot';
import { customerSegments } from '../../db/schema/index.ts';

/** What the profiling worker computed for a customer; subject: the customer. */
export const profilingEvents = {
  'customer.profiled': v.object({
    customer_id: v.string(),
    segment: v.picklist(customerSegments),
    risk_score: v.number(),
    segment_reasons: v.array(v.string()),
    risk_reasons: v.array(v.string()),
  }),
} as const;

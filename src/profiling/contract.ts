import * as v from 'valibot';
import { customerSegments } from '../../db/schema/index.ts';

/** A customer's profile: segment and risk with their reasons. */
export const profileResource = v.object({
  customer_id: v.string(),
  segment: v.picklist(customerSegments),
  risk_score: v.number(),
  segment_reasons: v.array(v.string()),
  risk_reasons: v.array(v.string()),
  computed_at: v.string(),
});
export type ProfileResource = v.InferOutput<typeof profileResource>;

import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { profiles } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { toIso } from '../kernel/clock.ts';
import { notFound } from '../kernel/errors.ts';
import type { ProfileResource } from './contract.ts';

/** A customer's latest profile; not_found for an unknown customer or one not profiled yet. */
export async function getProfile(db: Executor, customerId: string): Promise<ProfileResource> {
  await loadCustomer(db, customerId);
  const [row] = await db.select().from(profiles).where(eq(profiles.customerId, customerId));
  if (!row) throw notFound('Profile of customer', customerId);
  return {
    customer_id: row.customerId,
    segment: row.segment,
    risk_score: row.riskScore,
    segment_reasons: row.segmentReasons,
    risk_reasons: row.riskReasons,
    computed_at: toIso(row.computedAt),
  };
}

import type { Executor } from '../../db/client.ts';
import { toIso } from '../kernel/clock.ts';
import type { CustomerEntitlementsResource, EffectiveEntitlement as EffectiveResource } from './contract.ts';
import { meterOf, remainingOf } from './decide.ts';
import { currentSubscription, loadEntitlements, periodAt, usedBy } from './load.ts';

/**
 * The entitlements in effect for a customer's current subscription at `now`; metered
 * ones with the period's use, limit and what remains.
 */
export async function getCustomerEntitlements(db: Executor, customerId: string, now: number): Promise<CustomerEntitlementsResource> {
  const sub = await currentSubscription(db, customerId);
  if (!sub) return { object: 'customer_entitlements', customer_id: customerId, subscription_id: null, plan_id: null, plan_version: null, data: [] };
  const { plan, entitlements } = await loadEntitlements(db, sub);
  const period = periodAt(sub, plan, now);
  const data: EffectiveResource[] = [];
  for (const e of entitlements) {
    if (e.type !== 'metered' || !period) {
      data.push(e);
      continue;
    }
    const meter = meterOf(e, plan, await usedBy(db, sub.id, e, period.start));
    data.push({
      ...e,
      limit: meter.limit,
      used: meter.used,
      remaining: remainingOf(meter),
      period_start: toIso(period.start),
      period_end: toIso(period.end),
      ...(e.feature === 'ai_tokens' ? { overage: meter.overage } : {}),
    });
  }
  return { object: 'customer_entitlements', customer_id: customerId, subscription_id: sub.id, plan_id: sub.planId, plan_version: sub.planVersion, data };
}

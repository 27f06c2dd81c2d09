import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { usagePeriods } from '../../db/schema/index.ts';
import { money } from '../kernel/money.ts';
import { toIso } from '../kernel/clock.ts';
import { validationError } from '../kernel/errors.ts';
import { testClockTimeOf } from '../customers/clock.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import { usagePeriodAt } from './period.ts';
import { overageCharge } from '../plans/terms.ts';
import { periodOverageTokens } from './quota.ts';
import type { UsagePeriodResource } from './contract.ts';
import { chargesInForce } from '../pricing/period-usage.ts';
import { metersSoFar } from './meters-so-far.ts';

/**
 * A subscription's usage in the period containing `at` (by default the clock's now, or for a
 * sandbox customer its test clock's time),
 * against its plan version's included tokens; overage and its charge on the period's
 * total. A trial is a period of its own whose usage is free: no charge. `meters`: every charge in
 * force priced over the period's aggregates, and the other meters with usage (src/usage/meters-so-far.ts).
 */
export async function getSubscriptionUsage(db: Executor, id: string, at: number, atFromQuery: boolean): Promise<UsagePeriodResource> {
  const sub = await loadSubscription(db, id);
  if (!atFromQuery) at = (await testClockTimeOf(db, sub.customerId)) ?? at;
  const plan = await loadPlanVersion(db, sub.planId, sub.planVersion, sub.currency);
  const period = usagePeriodAt(sub, plan.interval, at);
  if (!period) {
    throw validationError([{ field: atFromQuery ? 'period_start' : 'query', message: `must not be before the subscription began at ${toIso(sub.createdAt)}` }]);
  }
  const [totals] = await db.select().from(usagePeriods).where(and(eq(usagePeriods.subscriptionId, id), eq(usagePeriods.periodStart, period.start)));
  const used = totals?.usedTokens ?? 0;
  const overage = periodOverageTokens(plan.includedTokens, used);
  const price = money(plan.overagePricePer1k, plan.currency);
  const { charges } = await chargesInForce(db, id, plan);
  const sofar = await metersSoFar(db, id, period.start, charges, period.trial);
  return {
    object: 'usage_period',
    subscription_id: id,
    plan_id: sub.planId,
    plan_version: sub.planVersion,
    period_start: toIso(period.start),
    period_end: toIso(period.end),
    included_tokens: plan.includedTokens,
    used_tokens: used,
    overage_tokens: overage,
    overage_price_per_1k: price,
    overage_charge: period.trial ? money(0, plan.currency) : overageCharge(overage, price),
    quota_policy: plan.quotaPolicy,
    quota_exceeded: totals?.quotaExceeded ?? false,
    trial: period.trial,
    meters: sofar.meters,
    usage_amount: money(sofar.amount, plan.currency),
  };
}

import { and, desc, eq, inArray, isNotNull, ne, or } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { planPrices, plans, planVersions, subscriptions, usagePeriods } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { addInterval, periodContaining } from '../subscriptions/periods.ts';
import type { SuggestionsResource } from './contract.ts';
import { cheapestPlan, costOver, savingBps, type CostTerms } from './rules.ts';

/** How many ended periods a suggestion looks back over. */
export const SUGGESTION_PERIODS = 3;

const iso = (ms: number) => new Date(ms).toISOString();
type VersionRow = typeof planVersions.$inferSelect;
type PriceRow = typeof planPrices.$inferSelect;
/** A version's cost terms in one currency: its default price, or its `plan_prices` row for another currency. */
const costTerms = (v: VersionRow, price: PriceRow | null = null): CostTerms => ({
  planId: v.planId,
  priceAmount: price?.priceAmount ?? v.priceAmount,
  includedTokens: v.includedTokens,
  overagePricePer1k: price?.overagePricePer1k ?? v.overagePricePer1k,
  quotaPolicy: v.quotaPolicy,
});

/**
 * For the customer's live subscription (the newest one not canceled): the active plan, in
 * the same currency and interval, that would have cost least over its last three billing
 * periods ended by `asOf` (fewer when it has had fewer; a trial is not one), each at that
 * plan's current terms (fee + overage; a `block` plan including fewer tokens than a period
 * used cannot serve it), against what the subscription's own plan version cost.
 */
export async function suggestPlan(db: Executor, customerId: string, asOf: number): Promise<SuggestionsResource> {
  await loadCustomer(db, customerId);
  const empty: SuggestionsResource = { object: 'plan_suggestions', customer_id: customerId, subscription_id: null, current_plan: null, currency: null, periods: [], suggested_plan: null, current_cost: 0, suggested_cost: null, saving: 0, saving_bps: 0 };
  const [live] = await db
    .select({ sub: subscriptions, version: planVersions, code: plans.code })
    .from(subscriptions)
    .innerJoin(planVersions, and(eq(planVersions.planId, subscriptions.planId), eq(planVersions.version, subscriptions.planVersion)))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .where(and(eq(subscriptions.customerId, customerId), ne(subscriptions.status, 'canceled')))
    .orderBy(desc(subscriptions.id))
    .limit(1);
  if (!live) return empty;
  const { sub, version } = live;
  // The subscription bills in its customer's currency (older ones in their version's default).
  const currency = sub.currency ?? version.currency;
  const base = { ...empty, subscription_id: sub.id, current_plan: { id: sub.planId, code: live.code, name: version.name, version: version.version }, currency };

  // Paid periods count from the anchor (a trial ends there); those ended by `asOf`, newest three.
  if (asOf <= sub.anchor) return base;
  const current = periodContaining(sub.anchor, version.interval, asOf);
  // Periods 0 … index − 1 ended by `asOf`; the one containing it has not.
  const ended = current.index;
  const first = Math.max(0, ended - SUGGESTION_PERIODS);
  const windows = Array.from({ length: ended - first }, (_, i) => ({ start: addInterval(sub.anchor, version.interval, first + i), end: addInterval(sub.anchor, version.interval, first + i + 1) }));
  if (windows.length === 0) return base;

  const usageRows = await db
    .select({ periodStart: usagePeriods.periodStart, used: usagePeriods.usedTokens })
    .from(usagePeriods)
    .where(and(eq(usagePeriods.subscriptionId, sub.id), inArray(usagePeriods.periodStart, windows.map((w) => w.start))));
  const usedOf = new Map(usageRows.map((r) => [r.periodStart, r.used]));
  const usage = windows.map((w) => usedOf.get(w.start) ?? 0);

  // What the customer pays now: its own plan version, which served every period it has (overage or within the block).
  const [ownPrice] = version.currency === currency ? [] : await db.select().from(planPrices).where(and(eq(planPrices.planId, version.planId), eq(planPrices.version, version.version), eq(planPrices.currency, currency)));
  const now = costOver({ ...costTerms(version, ownPrice ?? null), quotaPolicy: 'overage' }, usage)!;
  // Every other active plan whose current version is priced in that currency (by default or in `prices`), same interval.
  const candidates = await db
    .select({ version: planVersions, code: plans.code, price: planPrices })
    .from(plans)
    .innerJoin(planVersions, and(eq(planVersions.planId, plans.id), eq(planVersions.version, plans.currentVersion)))
    .leftJoin(planPrices, and(eq(planPrices.planId, plans.id), eq(planPrices.version, plans.currentVersion), eq(planPrices.currency, currency)))
    .where(and(eq(plans.status, 'active'), ne(plans.id, sub.planId), eq(planVersions.interval, version.interval), or(eq(planVersions.currency, currency), isNotNull(planPrices.currency))));
  const best = cheapestPlan(candidates.map((c) => ({ ...costTerms(c.version, c.version.currency === currency ? null : c.price), row: c })), usage, now.total);

  return {
    ...base,
    periods: windows.map((w, i) => ({
      period_start: iso(w.start),
      period_end: iso(w.end),
      used_tokens: usage[i]!,
      current_cost: now.perPeriod[i]!,
      suggested_cost: best ? best.perPeriod[i]! : null,
      saving: best ? now.perPeriod[i]! - best.perPeriod[i]! : null,
    })),
    suggested_plan: best ? { id: best.plan.planId, code: best.plan.row.code, name: best.plan.row.version.name, version: best.plan.row.version.version } : null,
    current_cost: now.total,
    suggested_cost: best?.total ?? null,
    saving: best ? now.total - best.total : 0,
    saving_bps: best ? savingBps(now.total - best.total, now.total) : 0,
  };
}

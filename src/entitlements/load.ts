import { and, desc, eq, ne } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers, featureUsage, subscriptionEntitlements, subscriptions, usageAggregates, usagePeriods, type Entitlement } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import { AI_TOKENS, toEntitlement, versionEntitlements } from '../plans/entitlements.ts';
import { loadPlanVersion } from '../plans/load.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import { seatPriceOf } from '../subscriptions/seat-price.ts';
import { usagePeriodAt, type UsagePeriod } from '../usage/period.ts';
import { effectiveEntitlements, type EffectiveEntitlement } from './decide.ts';

/**
 * The customer's current subscription: its newest that is not canceled, or null.
 * Fails with not_found when the customer does not exist.
 */
export async function currentSubscription(db: Executor, customerId: string): Promise<SubscriptionRow | null> {
  const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
  if (!customer) throw notFound('Customer', customerId);
  const [sub] = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, customerId), ne(subscriptions.status, 'canceled')))
    .orderBy(desc(subscriptions.id))
    .limit(1);
  return sub ?? null;
}

/** The feature a subscription's licensed seats are entitled as: static, its value the seat count. */
export const SEATS = 'seats';

/**
 * The `seats` entitlement of a subscription's licensed count, when it applies: always when the plan
 * version defines no `seats` entitlement of its own; when it does, only while the subscription is
 * billed per seat (a seat price above 0): then the count it pays for is what it may use, while a
 * plan that sells no seats keeps its fixed allowance. An override of `seats` wins over both.
 */
async function licensedSeats(db: Executor, sub: SubscriptionRow, plan: Entitlement[]): Promise<Entitlement[]> {
  const seats: Entitlement = { feature: SEATS, type: 'static', value: sub.seats };
  if (!plan.some((e) => e.feature === SEATS)) return [seats];
  return (await seatPriceOf(db, sub)).amount > 0 ? [seats] : [];
}

/** A subscription's plan version and the entitlements in effect for it (the version's, its licensed seats, its overrides). */
export async function loadEntitlements(db: Executor, sub: SubscriptionRow): Promise<{ plan: PlanVersionRow; entitlements: EffectiveEntitlement[] }> {
  const plan = await loadPlanVersion(db, sub.planId, sub.planVersion);
  const overrides = await db.select().from(subscriptionEntitlements).where(eq(subscriptionEntitlements.subscriptionId, sub.id)).orderBy(subscriptionEntitlements.feature);
  const fromPlan = versionEntitlements(plan);
  return { plan, entitlements: effectiveEntitlements(fromPlan, overrides.map(toEntitlement), await licensedSeats(db, sub, fromPlan)) };
}

/** The usage period containing `at` (the trial is one), or null before the subscription began. */
export const periodAt = (sub: SubscriptionRow, plan: PlanVersionRow, at: number): UsagePeriod | null => usagePeriodAt(sub, plan.interval, at);

/** Units of a metered feature used in a period: AI tokens from the usage totals, other features from their counter. */
export async function usedIn(db: Executor, subscriptionId: string, feature: string, periodStart: number): Promise<number> {
  if (feature === AI_TOKENS) {
    const [row] = await db.select({ used: usagePeriods.usedTokens }).from(usagePeriods).where(and(eq(usagePeriods.subscriptionId, subscriptionId), eq(usagePeriods.periodStart, periodStart)));
    return row?.used ?? 0;
  }
  const [row] = await db
    .select({ used: featureUsage.used })
    .from(featureUsage)
    .where(and(eq(featureUsage.subscriptionId, subscriptionId), eq(featureUsage.feature, feature), eq(featureUsage.periodStart, periodStart)));
  return row?.used ?? 0;
}

/**
 * A meter's usage in a period for one subscription: Σ quantity of its `usage_aggregates` rows
 * whose dimension values hold every one of `dimensions` (a row may carry more).
 */
export async function meterUsageIn(db: Executor, subscriptionId: string, meter: string, dimensions: Readonly<Record<string, string>>, periodStart: number): Promise<number> {
  const rows = await db
    .select({ dimensions: usageAggregates.dimensions, quantity: usageAggregates.quantity })
    .from(usageAggregates)
    .where(and(eq(usageAggregates.subscriptionId, subscriptionId), eq(usageAggregates.periodStart, periodStart), eq(usageAggregates.meter, meter)));
  const wanted = Object.entries(dimensions);
  let sum = 0;
  for (const row of rows) {
    const values = JSON.parse(row.dimensions) as Record<string, string>;
    if (wanted.every(([key, value]) => values[key] === value)) sum += row.quantity;
  }
  return sum;
}

/**
 * Units of a metered entitlement used in a period: `usedIn` its feature; for one naming a
 * meter, that meter's usage (`meterUsageIn`) plus what checks consumed of the feature, so the
 * limit holds over both.
 */
export async function usedBy(db: Executor, subscriptionId: string, e: Entitlement, periodStart: number): Promise<number> {
  const consumed = await usedIn(db, subscriptionId, e.feature, periodStart);
  return e.meter === undefined ? consumed : consumed + (await meterUsageIn(db, subscriptionId, e.meter, e.dimensions ?? {}, periodStart));
}

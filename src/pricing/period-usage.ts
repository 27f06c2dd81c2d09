import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { prepared } from '../../db/prepared.ts';
import { usageAggregates, type StoredCharge } from '../../db/schema/index.ts';
import { overridesInForce } from './overrides-in-force.ts';
import { effectiveCharges, priceMeterCharge, versionCharges, type PricedMeterCharge, type UsageGroup, type VersionPricing } from './charges.ts';

/** A period's aggregate rows, by the primary key's prefix (subscription, period): one indexed read, never the records. */
export const periodAggregates = prepared((db) =>
  db
    .select({ meter: usageAggregates.meter, dimensions: usageAggregates.dimensions, quantity: usageAggregates.quantity, latestAt: usageAggregates.latestAt })
    .from(usageAggregates)
    .where(and(eq(usageAggregates.subscriptionId, sql.placeholder('subscriptionId')), eq(usageAggregates.periodStart, sql.placeholder('periodStart'))))
    .prepare(),
);

/** The subscription facts the usage pricing needs. */
export interface UsageSubscription {
  id: string;
  trialEnd: number | null;
}

/** A plan version's usage terms in the subscription's currency (a PlanVersionRow fits). */
export interface UsageTerms {
  charges: StoredCharge[] | null;
  includedTokens: number;
  overagePricePer1k: number;
}

/**
 * The usage charges in force for a subscription: the version's charges (its token terms as one
 * charge, src/pricing/charges.ts) with its negotiated overrides in place. `legacy` when they are
 * exactly the token terms (the version has no `charges` and no override prices anything): such a
 * subscription bills its usage as it always did, by its `usage_overage` line and its running totals.
 */
export async function chargesInForce(db: Executor, subscriptionId: string, terms: UsageTerms): Promise<{ legacy: boolean; charges: StoredCharge[] }> {
  const overrides = (await overridesInForce(db, subscriptionId))?.charges ?? [];
  const version: VersionPricing = { charges: terms.charges, includedTokens: terms.includedTokens, overagePricePer1k: terms.overagePricePer1k };
  const legacy = (terms.charges ?? []).length === 0 && overrides.length === 0;
  return { legacy, charges: effectiveCharges(versionCharges(version), overrides) };
}

/** Usage the aggregates do not hold yet (a batch's deltas before it writes them): per meter, dimensions key and quantity. */
export interface PendingUsage {
  meter: string;
  dimensions: string;
  /** How the value folds into the stored row: added (sum, count), the larger kept (max), or the newer kept (latest). */
  aggregation?: string;
  add: number;
  latestAt?: number;
}

/** A charge in force priced for a period, with its model (for the invoice's breakdown). */
export type PricedUsageCharge = PricedMeterCharge & { model: StoredCharge['model'] };

/**
 * A period's usage priced: whether the subscription bills it the legacy way (then nothing is
 * priced here: its `usage_overage` line and running totals bill it), and each charge in force priced.
 */
export interface PeriodUsageCharges {
  legacy: boolean;
  charges: PricedUsageCharge[];
  /** Σ the charges' amounts (minimums and maximums applied): what the period's usage bills. */
  amount: number;
}

/**
 * A period's usage priced by the charges in force (`chargesInForce`): the period's aggregate rows
 * of the subscription, read once (plus `pending`), grouped by meter, each charge priced over its
 * meter's rows by `priceMeterCharge`. A trial period bills no usage: no charges. Charges come in
 * the order the version (then the override) lists them.
 */
export async function periodUsageCharges(
  db: Executor,
  sub: UsageSubscription,
  terms: UsageTerms,
  period: { start: number; end: number },
  pending: readonly PendingUsage[] = [],
): Promise<PeriodUsageCharges> {
  const { legacy, charges } = await chargesInForce(db, sub.id, terms);
  if (legacy) return { legacy, charges: [], amount: 0 };
  const priced = await priceUsage(db, sub, charges, period, pending);
  return { legacy, charges: priced, amount: priced.reduce((sum, c) => sum + c.amount, 0) };
}

async function priceUsage(db: Executor, sub: UsageSubscription, charges: readonly StoredCharge[], period: { start: number }, pending: readonly PendingUsage[]): Promise<PricedUsageCharge[]> {
  if (sub.trialEnd !== null && period.start < sub.trialEnd) return [];
  const rows = await periodAggregates(db).all({ subscriptionId: sub.id, periodStart: period.start });
  const byMeter = new Map<string, Map<string, { quantity: number; latestAt: number }>>();
  for (const row of [...rows.map((r) => ({ meter: r.meter, dimensions: r.dimensions, add: r.quantity, latestAt: r.latestAt })), ...pending]) {
    const groups = byMeter.get(row.meter) ?? byMeter.set(row.meter, new Map()).get(row.meter)!;
    const had = groups.get(row.dimensions);
    const latestAt = row.latestAt ?? 0;
    // The batch's pending values fold in as the flush will write them (src/usage/aggregates.ts).
    const aggregation = 'aggregation' in row ? row.aggregation : undefined;
    const quantity = !had
      ? row.add
      : aggregation === 'max'
        ? Math.max(had.quantity, row.add)
        : aggregation === 'latest'
          ? (latestAt >= had.latestAt ? row.add : had.quantity)
          : had.quantity + row.add;
    groups.set(row.dimensions, { quantity, latestAt: Math.max(had?.latestAt ?? 0, latestAt) });
  }
  return charges.map((charge) => {
    const groups: UsageGroup[] = [...(byMeter.get(charge.meter) ?? new Map<string, { quantity: number }>())].map(([dimensions, { quantity }]) => ({ dimensions: JSON.parse(dimensions) as Record<string, string>, quantity }));
    return { ...priceMeterCharge(charge, groups), model: charge.model };
  });
}

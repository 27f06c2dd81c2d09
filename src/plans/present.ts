import type { InferSelectModel } from 'drizzle-orm';
import type { Entitlement, planPrices, plans, planVersions, StoredCharge } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { PlanResource } from './contract.ts';
import type { CurrencyPrice, PlanTerms } from './terms.ts';
import { toEntitlement } from './entitlements.ts';

export type PlanRow = InferSelectModel<typeof plans>;
export type PlanVersionRow = InferSelectModel<typeof planVersions>;
export type PlanPriceRow = InferSelectModel<typeof planPrices>;

/** A version's prices in other currencies by their API names, sorted by currency. */
export const toCurrencyPrices = (rows: readonly PlanPriceRow[]): CurrencyPrice[] =>
  rows
    .map((r) => ({ currency: r.currency, price_amount: r.priceAmount, overage_price_per_1k: r.overagePricePer1k, seat_price: r.seatPrice }))
    .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));

/** Every price of a version: the default currency's first, then the others by currency. */
const allPrices = (version: PlanVersionRow, others: readonly PlanPriceRow[]): CurrencyPrice[] => [
  { currency: version.currency, price_amount: version.priceAmount, overage_price_per_1k: version.overagePricePer1k, seat_price: version.seatPrice },
  ...toCurrencyPrices(others),
];

/** A version's terms by their API names, for the pure rules. */
export function toPlanTerms(row: PlanVersionRow, prices: readonly PlanPriceRow[]): PlanTerms {
  return {
    name: row.name,
    price_amount: row.priceAmount,
    currency: row.currency,
    interval: row.interval,
    trial_days: row.trialDays,
    included_tokens: row.includedTokens,
    overage_price_per_1k: row.overagePricePer1k,
    quota_policy: row.quotaPolicy,
    features: row.features,
    prices: toCurrencyPrices(prices),
    entitlements: (row.entitlements ?? []).map(toEntitlement),
    seat_price: row.seatPrice,
    charges: row.charges ?? [],
  };
}

/** The plan as carried inside events: identity, status and one version's terms. */
export function toPlanSnapshot(plan: PlanRow, version: PlanVersionRow, prices: readonly PlanPriceRow[]): EventData<'plan.created'>['plan'] & { prices: CurrencyPrice[]; entitlements: Entitlement[]; seat_price: { amount: number; currency: string }; charges: StoredCharge[] } {
  return {
    id: plan.id,
    code: plan.code,
    status: plan.status,
    version: version.version,
    name: version.name,
    price: { amount: version.priceAmount, currency: version.currency },
    interval: version.interval,
    trial_days: version.trialDays,
    included_tokens: version.includedTokens,
    overage_price_per_1k: { amount: version.overagePricePer1k, currency: version.currency },
    quota_policy: version.quotaPolicy,
    features: version.features,
    prices: allPrices(version, prices),
    entitlements: (version.entitlements ?? []).map(toEntitlement),
    seat_price: { amount: version.seatPrice, currency: version.currency },
    charges: version.charges ?? [],
  };
}

/**
 * The API shape of a plan at one version. Status and timestamps are the plan's;
 * everything else is the version's.
 */
export function toPlanResource(plan: PlanRow, version: PlanVersionRow, prices: readonly PlanPriceRow[]): PlanResource {
  const { id, code, status, ...terms } = toPlanSnapshot(plan, version, prices);
  return {
    id,
    object: 'plan',
    code,
    status,
    ...terms,
    created_at: toIso(plan.createdAt),
    updated_at: toIso(plan.updatedAt),
    archived_at: toIsoOrNull(plan.archivedAt),
  };
}

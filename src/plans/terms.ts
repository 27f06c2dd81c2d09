import type { Entitlement, planIntervals, planStatuses, quotaPolicies, StoredCharge } from '../../db/schema/index.ts';
import { charge, type Money } from '../kernel/money.ts';

export type PlanStatus = (typeof planStatuses)[number];
export type PlanInterval = (typeof planIntervals)[number];
/** Past the included tokens: bill overage per 1,000 tokens, or refuse further usage. */
export type QuotaPolicy = (typeof quotaPolicies)[number];

/** A plan version's price in one currency, minor units of that currency. */
export interface CurrencyPrice {
  currency: string;
  price_amount: number;
  overage_price_per_1k: number;
  /** Price of one licensed seat per period in this currency; 0: seats are not billed. */
  seat_price: number;
}

/**
 * The terms of one plan version, by their API names. Money is integer minor units of `currency`.
 * `prices` are the version's prices in currencies other than the default `currency`, sorted by currency.
 */
export interface PlanTerms {
  name: string;
  price_amount: number;
  currency: string;
  interval: PlanInterval;
  trial_days: number;
  included_tokens: number;
  overage_price_per_1k: number;
  quota_policy: QuotaPolicy;
  features: string[];
  prices: CurrencyPrice[];
  /** Typed entitlements (src/plans/entitlements.ts); each of `features` is also a boolean one. */
  entitlements: Entitlement[];
  seat_price: number;
  /** Usage charges per meter, priced in `currency` (src/pricing/charges.ts). */
  charges: StoredCharge[];
}

/** Every term, in the order changes are reported. */
export const termNames = ['name', 'price_amount', 'currency', 'interval', 'trial_days', 'included_tokens', 'overage_price_per_1k', 'quota_policy', 'features', 'prices', 'entitlements', 'seat_price', 'charges'] as const satisfies readonly (keyof PlanTerms)[];
export type TermName = (typeof termNames)[number];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The terms a patch would change. Empty means the patch is a no-op: it makes no
 * new version and no event. Feature order counts, so a version's history is exact.
 */
export function changedTerms(current: PlanTerms, patch: Partial<PlanTerms>): TermName[] {
  return termNames.filter((term) => patch[term] !== undefined && !same(patch[term], current[term]));
}

/** The terms of the next version: the current ones with the patch applied. */
export function applyTerms(current: PlanTerms, patch: Partial<PlanTerms>): PlanTerms {
  const next = { ...current, features: [...current.features], prices: [...current.prices], entitlements: [...current.entitlements], charges: [...current.charges] };
  for (const term of changedTerms(current, patch)) (next as Record<TermName, unknown>)[term] = patch[term];
  return next;
}

/** Whether a plan in this status may take a new version; archived plans are frozen. */
export const canChangeTerms = (status: PlanStatus) => status === 'active';

/** The status archiving leads to, or null when the plan is already archived. */
export const archivedStatus = (status: PlanStatus): PlanStatus | null => (status === 'active' ? 'archived' : null);

/**
 * A version's prices from the `prices` a caller sent: the entry of the default currency, when
 * sent, is the default price (it wins over `price_amount`/`overage_price_per_1k`, which are
 * stored from it); the others are sorted by currency.
 */
export function otherPrices(defaults: CurrencyPrice, prices: readonly CurrencyPrice[]): { defaults: CurrencyPrice; others: CurrencyPrice[] } {
  // An entry in the default currency is the default price: it wins over the flat terms.
  const own = prices.find((p) => p.currency === defaults.currency);
  const others = prices.filter((p) => p.currency !== defaults.currency).map((p) => ({ ...p })).sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
  return { defaults: own ? { ...own } : defaults, others };
}

/** The version's price in `currency`: the default one or one of `prices`; null when the version has no price in it. */
export function priceIn(terms: Pick<PlanTerms, 'currency' | 'price_amount' | 'overage_price_per_1k' | 'seat_price' | 'prices'>, currency: string): CurrencyPrice | null {
  if (currency === terms.currency) return { currency, price_amount: terms.price_amount, overage_price_per_1k: terms.overage_price_per_1k, seat_price: terms.seat_price };
  return terms.prices.find((p) => p.currency === currency) ?? null;
}

/**
 * round_half_up(overage_tokens × price_per_1k / 1000), in the price's currency; past MAX_CHARGE
 * a DomainError `amount_out_of_range` (computed in BigInt, so it never turns into a float).
 */
export function overageCharge(overageTokens: number, pricePer1k: Money): Money {
  if (!Number.isSafeInteger(overageTokens) || overageTokens < 0) throw new RangeError(`overage tokens must be a whole, non-negative number of tokens, got ${overageTokens}`);
  if (pricePer1k.amount < 0) throw new RangeError('an overage price is not negative');
  return charge(pricePer1k, overageTokens, 1000);
}

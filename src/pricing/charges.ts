import type { StoredCharge, StoredDimensionPrice, StoredPrice } from '../../db/schema/index.ts';
import { DomainError } from '../kernel/errors.ts';
import { MAX_CHARGE } from '../kernel/money.ts';
import { legacyOverageCharge } from './legacy.ts';
import { priceCharge, type ChargeDefinition, type PricedCharge } from './models.ts';

/** A period's aggregate of one meter for one combination of dimension values (a row of usage_aggregates). */
export interface UsageGroup {
  dimensions: Record<string, string>;
  quantity: number;
}

/**
 * One priced line of a charge: the usage its price covers (a `prices` entry's dimension values,
 * or null for the charge's default price), summed over the groups it matched, priced by the engine
 * and rounded once to whole minor units.
 */
export interface PricedChargeLine {
  meter: string;
  /** The dimension values the price names; null: the default price, which takes the usage no entry matched. */
  dimensions: Record<string, string> | null;
  quantity: number;
  priced: PricedCharge;
  amount: number;
}

/** A charge priced for one period: its lines, and the period minimum or maximum applied to their sum. */
export interface PricedMeterCharge {
  meter: string;
  lines: PricedChargeLine[];
  /** Σ line amounts, before the charge's min_amount/max_amount. */
  subtotal: number;
  /** What the minimum added (positive) or the maximum took off (negative); 0 when neither applied. */
  adjustment: number;
  /** subtotal + adjustment: what the charge bills for the period. */
  amount: number;
  /** Groups that no entry matches where the charge has no default price: they cannot be billed. */
  unpriced: UsageGroup[];
}

/** Whether an entry's dimension values all hold for a group (an entry may name fewer keys than the meter groups by). */
function matches(entry: Pick<StoredDimensionPrice, 'dimensions'>, dimensions: Record<string, string>): boolean {
  // A loop, not Object.entries().every(): a usage read runs this for every group × entry.
  for (const key in entry.dimensions) if (dimensions[key] !== entry.dimensions[key]) return false;
  return true;
}

/** Whether the charge's own fields hold a default price (the one its `model` needs). */
function hasDefaultPrice(charge: StoredCharge): boolean {
  switch (charge.model) {
    case 'per_unit':
      return charge.unit_price !== undefined;
    case 'graduated':
    case 'volume':
      return charge.tiers !== undefined;
    case 'package':
      return charge.package_size !== undefined && charge.package_price !== undefined;
  }
}

/**
 * The price that covers a group: the matching entry that names the most dimensions (the first of
 * those in order when several name as many), else the default price; null when neither exists.
 */
export function priceFor(charge: StoredCharge, dimensions: Record<string, string>): StoredDimensionPrice | 'default' | null {
  let best: StoredDimensionPrice | null = null;
  let bestSize = -1;
  for (const entry of charge.prices ?? []) {
    if (!matches(entry, dimensions)) continue;
    const size = Object.keys(entry.dimensions).length;
    if (size > bestSize) [best, bestSize] = [entry, size];
  }
  return best ?? (hasDefaultPrice(charge) ? 'default' : null);
}

/** One price of a charge as the engine's definition: the charge's model with the price's fields. Min/max belong to the charge, not to a line. */
function definitionOf(model: StoredCharge['model'], price: StoredPrice): ChargeDefinition {
  const included = price.included_quantity === undefined ? {} : { included_quantity: price.included_quantity };
  switch (model) {
    case 'per_unit':
      return { model, unit_price: price.unit_price!, ...included };
    case 'graduated':
    case 'volume':
      return { model, tiers: price.tiers!, ...included };
    case 'package':
      return { model, package_size: price.package_size!, package_price: price.package_price!, ...included };
  }
}

const key = (dimensions: Record<string, string> | null) => (dimensions === null ? '' : JSON.stringify(dimensions));

/**
 * A period's usage of one meter priced by one charge:
 *
 *   each group goes to its price (`priceFor`); each price's groups are summed to one quantity,
 *   priced by its model (src/pricing/models.ts) and rounded once, half up, to whole minor units;
 *   subtotal = Σ lines; amount = min(max(subtotal, min_amount), max_amount).
 *
 * Lines come in the order of `prices`, the default last. A price is listed only when usage
 * reached it (quantity > 0). Groups with no price and no default are returned as `unpriced`
 * and bill nothing (usage ingestion refuses them, so only a later price change can leave any).
 * Past MAX_CHARGE, `amount_out_of_range`.
 */
export function priceMeterCharge(charge: StoredCharge, groups: readonly UsageGroup[]): PricedMeterCharge {
  const quantities = new Map<string, { price: StoredDimensionPrice | 'default'; quantity: number }>();
  const unpriced: UsageGroup[] = [];
  for (const group of groups) {
    const price = priceFor(charge, group.dimensions);
    if (price === null) {
      unpriced.push(group);
      continue;
    }
    const k = key(price === 'default' ? null : price.dimensions);
    const entry = quantities.get(k) ?? { price, quantity: 0 };
    entry.quantity += group.quantity;
    quantities.set(k, entry);
  }
  const order = [...(charge.prices ?? []).map((p) => key(p.dimensions)), key(null)];
  const lines: PricedChargeLine[] = [];
  for (const k of new Set(order)) {
    const entry = quantities.get(k);
    if (!entry || entry.quantity === 0) continue;
    const price = entry.price === 'default' ? charge : entry.price;
    const priced = priceCharge(definitionOf(charge.model, price), entry.quantity);
    lines.push({ meter: charge.meter, dimensions: entry.price === 'default' ? null : entry.price.dimensions, quantity: entry.quantity, priced, amount: priced.amount });
  }
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const raised = Math.max(subtotal, charge.min_amount ?? 0);
  const amount = charge.max_amount === undefined ? raised : Math.min(raised, charge.max_amount);
  if (amount > MAX_CHARGE) {
    throw new DomainError('amount_out_of_range', `the ${charge.meter} charge comes to ${amount} minor units this period; one charge may be at most ${MAX_CHARGE}`, {
      amount: String(amount),
      max_amount: MAX_CHARGE,
    });
  }
  return { meter: charge.meter, lines, subtotal, adjustment: amount - subtotal, amount, unpriced };
}

/** What a plan version bills for usage, by the fields the pricing needs. */
export interface VersionPricing {
  charges: StoredCharge[] | null;
  includedTokens: number;
  overagePricePer1k: number;
}

/** The built-in meter the token terms always priced. */
const TOKENS_METER = 'ai_tokens';

/**
 * The usage charges of a plan version: its `charges`, and its token terms, when they bill overage
 * and no charge prices `ai_tokens`, as one per_unit charge on `ai_tokens` (`overage_price_per_1k`
 * / 1,000 per token past `included_tokens`, src/pricing/legacy.ts), which bills exactly what
 * those terms always billed. `overagePricePer1k` is the one of the subscription's currency.
 */
export function versionCharges(version: VersionPricing): StoredCharge[] {
  const charges = version.charges ?? [];
  if (version.overagePricePer1k === 0 || charges.some((c) => c.meter === TOKENS_METER)) return charges;
  return [...charges, tokenTermsCharge(version)];
}

/** The token terms as a charge on `ai_tokens`. */
function tokenTermsCharge(version: Pick<VersionPricing, 'includedTokens' | 'overagePricePer1k'>): StoredCharge {
  return { meter: TOKENS_METER, ...(legacyOverageCharge(version.overagePricePer1k, version.includedTokens) as ChargeDefinition & { model: 'per_unit' }) };
}

/**
 * The charges in force for a subscription: the version's, with each charge of a negotiated override
 * (src/price-overrides/) put in place of the version's charge of the same meter, or added when the
 * version does not price that meter.
 */
export function effectiveCharges(version: StoredCharge[], overrides: readonly StoredCharge[]): StoredCharge[] {
  const byMeter = new Map(overrides.map((c) => [c.meter, c]));
  const merged = version.map((c) => byMeter.get(c.meter) ?? c);
  const priced = new Set(version.map((c) => c.meter));
  return [...merged, ...overrides.filter((c) => !priced.has(c.meter))];
}

import { DomainError } from '../kernel/errors.ts';
import { MAX_CHARGE } from '../kernel/money.ts';
import { formatDecimal, parseDecimal, roundToMinorUnits } from './decimal.ts';

/**
 * One tier of a graduated or volume charge. `up_to` is the last unit the tier covers (inclusive,
 * counted from the first billable unit); the tier starts one unit after the previous tier's
 * `up_to`. The last tier is open-ended (`up_to: null`). Prices are decimal strings of minor units.
 */
export interface Tier {
  up_to: number | null;
  unit_price: string;
  /** Charged once when the tier is reached (its first unit is used); "0" when absent. */
  flat_fee?: string;
}

/** What every model takes besides its prices. Amounts are whole minor units. */
export interface ChargeOptions {
  /** Units free before pricing: the tiers and packages count the units past them. */
  included_quantity?: number;
  /** The least a period is charged (a minimum spend), applied after pricing and rounding. */
  min_amount?: number;
  /** The most a period is charged (a cap), applied after pricing and rounding. */
  max_amount?: number;
}

/** A charge: how a period's quantity of one counter becomes an amount. */
export type ChargeDefinition = ChargeOptions &
  (
    | { model: 'per_unit'; unit_price: string }
    | { model: 'graduated'; tiers: Tier[] }
    | { model: 'volume'; tiers: Tier[] }
    | { model: 'package'; package_size: number; package_price: string }
  );

/**
 * One line of the breakdown. Its `amount` is exact (a decimal string of minor units, never
 * rounded): the lines add up to `subtotal`, and only that total is rounded.
 */
export interface PriceLine {
  /** The tier's position, from 1; 1 for per_unit and package. */
  tier: number;
  /** The first and last billable unit the line covers (null: open-ended). */
  first_unit: number;
  last_unit: number | null;
  /** Billable units priced on this line. */
  units: number;
  /** Per unit (per_unit, graduated, volume) or per started package (package). */
  unit_price: string;
  /** Package only: units per package and packages started. */
  package_size?: number;
  packages?: number;
  flat_fee: string;
  /** units × unit_price (or packages × unit_price) + flat_fee, exactly. */
  amount: string;
}

/** A priced period: the amount to bill and how it came about. */
export interface PricedCharge {
  quantity: number;
  included_quantity: number;
  /** quantity − included_quantity, never below 0. */
  billable_quantity: number;
  lines: PriceLine[];
  /** The exact sum of the lines, in minor units. */
  subtotal: string;
  /** round_half_up(subtotal) to whole minor units: the one rounding. */
  rounded: number;
  minimum_applied: boolean;
  maximum_applied: boolean;
  /** The amount billed: `rounded`, raised to min_amount, lowered to max_amount. */
  amount: number;
}

interface ExactLine extends Omit<PriceLine, 'amount'> {
  exact: bigint;
}

const assertUnits = (n: number, what: string) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole, non-negative number of units, got ${n}`);
};

/** The first unit of each tier: one past the previous tier's `up_to`. */
const firstUnits = (tiers: readonly Tier[]) => tiers.map((_, i) => (i === 0 ? 1 : (tiers[i - 1]!.up_to ?? Number.POSITIVE_INFINITY) + 1));

function tierLine(tiers: readonly Tier[], index: number, units: number, charged: number): ExactLine {
  const tier = tiers[index]!;
  const flat = tier.flat_fee ?? '0';
  return {
    tier: index + 1,
    first_unit: firstUnits(tiers)[index]!,
    last_unit: tier.up_to,
    units: charged,
    unit_price: tier.unit_price,
    flat_fee: flat,
    exact: BigInt(charged) * parseDecimal(tier.unit_price) + parseDecimal(flat),
  };
}

/** Graduated: each unit at the price of the tier it falls in, plus the flat fee of each tier reached. */
function graduated(tiers: readonly Tier[], units: number): ExactLine[] {
  const starts = firstUnits(tiers);
  return tiers.flatMap((tier, i) => {
    const from = starts[i]!;
    if (units < from) return [];
    const to = tier.up_to === null ? units : Math.min(units, tier.up_to);
    return [tierLine(tiers, i, units, to - from + 1)];
  });
}

/** Volume: every unit at the price of the tier the total falls in, plus that tier's flat fee. */
function volume(tiers: readonly Tier[], units: number): ExactLine[] {
  if (units === 0) return [];
  const index = tiers.findIndex((t) => t.up_to === null || units <= t.up_to);
  if (index < 0) throw new RangeError(`no tier holds ${units} units: the last tier must be open-ended`);
  return [tierLine(tiers, index, units, units)];
}

/** Package: ceil(units / package_size) packages started, each at package_price. */
function packaged(size: number, price: string, units: number): ExactLine[] {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`a package holds at least 1 unit, got ${size}`);
  const packages = Math.ceil(units / size);
  return [{ tier: 1, first_unit: 1, last_unit: null, units, unit_price: price, package_size: size, packages, flat_fee: '0', exact: BigInt(packages) * parseDecimal(price) }];
}

function linesOf(definition: ChargeDefinition, units: number): ExactLine[] {
  switch (definition.model) {
    case 'per_unit':
      return [{ tier: 1, first_unit: 1, last_unit: null, units, unit_price: definition.unit_price, flat_fee: '0', exact: BigInt(units) * parseDecimal(definition.unit_price) }];
    case 'graduated':
      return graduated(definition.tiers, units);
    case 'volume':
      return volume(definition.tiers, units);
    case 'package':
      return packaged(definition.package_size, definition.package_price, units);
  }
}

/**
 * The amount for a period's `quantity` under `definition`, in minor units, with its breakdown.
 *
 *   billable = max(0, quantity − included_quantity)
 *   subtotal = Σ lines, exact (prices are decimals of minor units, quantities whole units)
 *   amount   = min(max(round_half_up(subtotal), min_amount), max_amount)
 *
 * Rounding happens once, on the total, half away from zero. An amount past MAX_CHARGE is refused
 * as `amount_out_of_range`, as every other charge is (src/kernel/money.ts).
 */
export function priceCharge(definition: ChargeDefinition, quantity: number): PricedCharge {
  assertUnits(quantity, 'quantity');
  const included = definition.included_quantity ?? 0;
  assertUnits(included, 'included quantity');
  const billable = Math.max(0, quantity - included);
  const exact = linesOf(definition, billable);
  const subtotal = exact.reduce((s, l) => s + l.exact, 0n);
  const rounded = roundToMinorUnits(subtotal);
  const min = BigInt(definition.min_amount ?? 0);
  const max = definition.max_amount === undefined ? null : BigInt(definition.max_amount);
  const raised = rounded < min ? min : rounded;
  const amount = max !== null && raised > max ? max : raised;
  if (amount > BigInt(MAX_CHARGE)) {
    throw new DomainError('amount_out_of_range', `${quantity} units of this ${definition.model} charge come to ${amount} minor units; one charge may be at most ${MAX_CHARGE}`, {
      amount: amount.toString(),
      max_amount: MAX_CHARGE,
    });
  }
  return {
    quantity,
    included_quantity: included,
    billable_quantity: billable,
    lines: exact.map(({ exact: value, ...line }) => ({ ...line, amount: formatDecimal(value) })),
    subtotal: formatDecimal(subtotal),
    rounded: Number(rounded),
    minimum_applied: rounded < min,
    maximum_applied: max !== null && raised > max,
    amount: Number(amount),
  };
}

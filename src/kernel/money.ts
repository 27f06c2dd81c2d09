import { isCurrency, minorUnitDigits } from './currency.ts';
import { DomainError } from './errors.ts';

/**
 * Money as integer minor units of an ISO 4217 currency (cents for EUR, yen for JPY,
 * fils for BHD). Never a float: amounts are safe integers, and every product or ratio
 * is computed in BigInt and rounded once, half away from zero:
 *
 *   round_half_up(a × n / d) = sign(a × n) × floor((2·|a × n| + d) / (2·d))   for d > 0
 *
 * so 0.5 → 1, 1.5 → 2, 2.5 → 3 and −2.5 → −3 (not banker's rounding, not truncation).
 *
 * Amounts may be negative (credits). A non-integer or unsafe amount is a bug upstream
 * (boundaries validate), so it throws a RangeError; mixing currencies is a conflict.
 */
export interface Money {
  amount: number;
  currency: string;
}

/**
 * The largest amount one charge may come to, in minor units: a plan's price, a period's
 * overage, a minimum spend (ten billion major units of a two-decimal currency). An invoice
 * sums a handful of such lines and adds tax of at most 100 %, so its totals stay far inside
 * Number.MAX_SAFE_INTEGER (≈ 9 × 10^15) and never need a float.
 */
export const MAX_CHARGE = 1_000_000_000_000;

function assertAmount(amount: number, what = 'amount'): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`${what} must be a safe integer number of minor units, got ${amount}`);
}

function assertCurrency(currency: string): void {
  if (!isCurrency(currency)) throw new RangeError(`currency must be an ISO 4217 code such as EUR, got ${currency}`);
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new DomainError('conflict', `cannot combine ${a.currency} with ${b.currency}`, { currencies: [a.currency, b.currency] });
}

function checked(n: number): number {
  assertAmount(n, 'result');
  return n;
}

const fromBigInt = (value: bigint, currency: string): Money => {
  const amount = Number(value);
  assertAmount(amount, 'result');
  return { amount, currency };
};

/** A money value; throws on a fractional or unsafe amount or a malformed currency code. */
export function money(amount: number, currency: string): Money {
  assertAmount(amount);
  assertCurrency(currency);
  return { amount, currency };
}

/** a + b, in their common currency. */
export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(checked(a.amount + b.amount), a.currency);
}

/** a − b, in their common currency. */
export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(checked(a.amount - b.amount), a.currency);
}

/** The same amount with the opposite sign: a charge turned into a credit. */
export const negate = (a: Money): Money => money(a.amount === 0 ? 0 : -a.amount, a.currency);

/** The sum of `items`, all in `currency` (which an empty list needs). */
export const sum = (items: readonly Money[], currency: string): Money => items.reduce(add, money(0, currency));

/** round_half_up(n / d) for d > 0, half away from zero, in exact integer arithmetic. */
export function divideHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('denominator must be positive');
  const magnitude = (2n * (n < 0n ? -n : n) + d) / (2n * d);
  return n < 0n ? -magnitude : magnitude;
}

/** round_half_up(amount × numerator / denominator) to a whole minor unit; denominator > 0. */
export function multiplyRatio(amount: Money, numerator: number, denominator: number): Money {
  assertAmount(amount.amount);
  if (!Number.isSafeInteger(numerator)) throw new RangeError(`numerator must be a safe integer, got ${numerator}`);
  if (!Number.isSafeInteger(denominator) || denominator <= 0) throw new RangeError(`denominator must be a positive safe integer, got ${denominator}`);
  return fromBigInt(divideHalfUp(BigInt(amount.amount) * BigInt(numerator), BigInt(denominator)), amount.currency);
}

/**
 * round_half_up(unit_price × quantity / per) exactly, however large: the product is a BigInt,
 * so 10^12 per 1,000 tokens × 10^13 tokens is 10^22, not a float that lost its units.
 */
export function exactCharge(unitPrice: number, quantity: number, per: number): bigint {
  assertAmount(unitPrice, 'unit price');
  if (!Number.isSafeInteger(quantity) || quantity < 0) throw new RangeError(`quantity must be a whole, non-negative number, got ${quantity}`);
  if (!Number.isSafeInteger(per) || per <= 0) throw new RangeError(`per must be a positive safe integer, got ${per}`);
  return divideHalfUp(BigInt(unitPrice) * BigInt(quantity), BigInt(per));
}

/**
 * The charge for `quantity` at `unitPrice` per `per` units, rounded once half away from zero.
 * One past MAX_CHARGE (in either direction) is refused as `amount_out_of_range`, a problem the
 * caller can act on (fewer units, a lower price), never a RangeError that ends as a 500.
 */
export function charge(unitPrice: Money, quantity: number, per: number): Money {
  const exact = exactCharge(unitPrice.amount, quantity, per);
  const bound = BigInt(MAX_CHARGE);
  if (exact > bound || exact < -bound) {
    throw new DomainError('amount_out_of_range', `${quantity} at ${unitPrice.amount} ${unitPrice.currency} per ${per} comes to ${exact} minor units; one charge may be at most ${MAX_CHARGE}`, {
      amount: exact.toString(),
      max_amount: MAX_CHARGE,
      currency: unitPrice.currency,
    });
  }
  return money(Number(exact), unitPrice.currency);
}

/**
 * Tax at a rate in basis points (1900 = 19 %):
 *   tax = round_half_up(amount × bps / 10,000), total = amount + tax.
 */
export function applyTaxBasisPoints(amount: Money, bps: number): { tax: Money; total: Money } {
  if (!Number.isSafeInteger(bps) || bps < 0) throw new RangeError(`tax rate must be a whole, non-negative number of basis points, got ${bps}`);
  const tax = multiplyRatio(amount, bps, 10_000);
  return { tax, total: add(amount, tax) };
}

/**
 * Splits `amount` in proportion to integer `weights` so the parts sum exactly to it.
 * Each part gets floor(|amount| × weight / Σweights); the minor units left over go one
 * each to the parts with the largest remainders, earlier parts first on a tie
 * (largest-remainder method). A negative amount is split as its magnitude, then negated.
 */
export function allocate(amount: Money, weights: readonly number[]): Money[] {
  assertAmount(amount.amount);
  if (weights.length === 0) throw new RangeError('allocate needs at least one weight');
  for (const w of weights) if (!Number.isSafeInteger(w) || w < 0) throw new RangeError(`weights must be non-negative safe integers, got ${w}`);
  const total = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (total === 0n) throw new RangeError('weights must not all be zero');

  const sign = amount.amount < 0 ? -1n : 1n;
  const magnitude = BigInt(Math.abs(amount.amount));
  const parts = weights.map((w) => (magnitude * BigInt(w)) / total);
  const remainders = weights.map((w, index) => ({ index, remainder: (magnitude * BigInt(w)) % total }));
  let left = magnitude - parts.reduce((s, p) => s + p, 0n);
  remainders.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts.map((p) => fromBigInt(sign * p, amount.currency));
}

/** A plain rendering for notifications, with the currency's ISO 4217 minor unit: "12.34 EUR", "-0.05 EUR", "1234 JPY", "1.234 BHD". */
export function formatMoney(value: Money): string {
  assertAmount(value.amount);
  const digits = minorUnitDigits(value.currency);
  const sign = value.amount < 0 ? '-' : '';
  const units = String(Math.abs(value.amount)).padStart(digits + 1, '0');
  const major = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  return `${sign}${major} ${value.currency}`;
}

import { divideHalfUp } from '../kernel/money.ts';

/**
 * Prices finer than the minor unit. A price is a decimal string of **minor units** (cents for
 * EUR, yen for JPY) with at most 12 fractional digits: "0.00025" is a quarter of a thousandth of
 * a cent. It is parsed exactly into a BigInt count of 10^-12 minor units (its numerator over
 * 10^12), never into a float, so every product of a price and a quantity is exact, and the one
 * rounding to whole minor units happens at the end (`roundToMinorUnits`).
 */
export const DECIMAL_PLACES = 12;

/** The numerator of 1 minor unit at DECIMAL_PLACES: 10^12. */
export const ONE_MINOR_UNIT = 10n ** BigInt(DECIMAL_PLACES);

/** The shape of a price as the engine takes it: digits, optionally a point and 1 to 12 digits. No sign, no exponent. */
export const DECIMAL_PATTERN = /^\d{1,15}(?:\.\d{1,12})?$/;

/**
 * The exact value of `text` in 10^-12 minor units: "0.00025" → 250,000,000n, "7" → 7 × 10^12.
 * Anything else is a bug upstream (the API validates with `unitPrice`), so it is a RangeError.
 */
export function parseDecimal(text: string): bigint {
  if (!DECIMAL_PATTERN.test(text)) throw new RangeError(`a price must be a decimal number of minor units with at most 12 decimals, got ${JSON.stringify(text)}`);
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole!) * ONE_MINOR_UNIT + BigInt(fraction.padEnd(DECIMAL_PLACES, '0'));
}

/** A value in 10^-12 minor units as the shortest exact decimal string of minor units: 41_500_000_000_000n → "41.5". */
export function formatDecimal(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  const whole = magnitude / ONE_MINOR_UNIT;
  const fraction = (magnitude % ONE_MINOR_UNIT).toString().padStart(DECIMAL_PLACES, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A value in 10^-12 minor units rounded to whole minor units, half away from zero (0.5 → 1,
 * 2.5 → 3, never to even), as money.ts rounds every other amount.
 */
export const roundToMinorUnits = (value: bigint): bigint => divideHalfUp(value, ONE_MINOR_UNIT);

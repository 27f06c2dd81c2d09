import { data } from 'currency-codes';
import * as v from 'valibot';

/**
 * ISO 4217 codes with no minor unit ("N.A." in the standard: precious metals, bond-market
 * units, SDR, Sucre, ADB unit, the test code and "no currency"). currency-codes reports them
 * as 0 digits, but nothing can be priced or billed in them.
 */
const NO_MINOR_UNIT = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);

/** Each currency we can bill in, with the digits of its minor unit (JPY 0, EUR 2, BHD 3, CLF 4). */
const MINOR_DIGITS: ReadonlyMap<string, number> = new Map(data.filter((c) => !NO_MINOR_UNIT.has(c.code)).map((c) => [c.code, c.digits]));

/** Whether `code` is an ISO 4217 currency with a minor unit (upper case). */
export const isCurrency = (code: string): boolean => MINOR_DIGITS.has(code);

/** Digits after the decimal point in `currency`'s major unit; a code that is not ISO 4217 is a bug upstream (RangeError). */
export function minorUnitDigits(currency: string): number {
  const digits = MINOR_DIGITS.get(currency);
  if (digits === undefined) throw new RangeError(`currency must be an ISO 4217 code such as EUR, got ${currency}`);
  return digits;
}

/** The codes as a request may spell them: upper case (ISO) or lower case (as Stripe writes them). */
const SPELLINGS = [...MINOR_DIGITS.keys()].flatMap((code) => [code, code.toLowerCase()]);

/**
 * A currency in a request: an ISO 4217 code in upper or lower case (`EUR`, `eur`), upper case
 * after. Exactly the spellings the API document lists (its `enum`): no spaces, no mixed case.
 */
export const currencyCode = v.pipe(
  v.string(),
  v.check((code) => /^(?:[A-Z]{3}|[a-z]{3})$/.test(code) && isCurrency(code.toUpperCase()), 'must be an ISO 4217 currency code such as EUR'),
  v.metadata({ enum: SPELLINGS }),
  v.toUpperCase(),
);

/** A currency as a key (the plan's `prices`): upper case only, so one currency cannot appear twice. */
export const currencyKey = v.pipe(v.string(), v.check(isCurrency, 'must be an ISO 4217 currency code in upper case such as EUR'), v.metadata({ enum: [...MINOR_DIGITS.keys()] }));

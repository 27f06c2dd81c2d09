import { describe, expect, test } from 'bun:test';
import { DomainError } from './errors.ts';
import { minorUnitDigits } from './currency.ts';
import { add, allocate, applyTaxBasisPoints, charge, exactCharge, formatMoney, MAX_CHARGE, money, multiplyRatio, negate, subtract, sum } from './money.ts';

const eur = (amount: number) => money(amount, 'EUR');
const amounts = (list: { amount: number }[]) => list.map((m) => m.amount);

describe('money values', () => {
  test('accept whole minor units only', () => {
    expect(eur(1999)).toEqual({ amount: 1999, currency: 'EUR' });
    expect(eur(-5).amount).toBe(-5);
    expect(() => eur(12.5)).toThrow(RangeError);
    expect(() => eur(0.1 + 0.2)).toThrow(RangeError);
    expect(() => eur(Number.NaN)).toThrow(RangeError);
    expect(() => eur(2 ** 53)).toThrow(RangeError);
    expect(() => money(100, 'eur')).toThrow(RangeError);
    expect(() => money(100, 'EURO')).toThrow(RangeError);
  });

  test('add and subtract within one currency', () => {
    expect(add(eur(1999), eur(1))).toEqual(eur(2000));
    expect(subtract(eur(500), eur(1999))).toEqual(eur(-1499));
    expect(sum([eur(2900), eur(-1450), eur(4950)], 'EUR')).toEqual(eur(6400));
    expect(sum([], 'JPY')).toEqual(money(0, 'JPY'));
    expect(Object.is(negate(eur(0)).amount, 0)).toBe(true);
    expect(negate(eur(1450))).toEqual(eur(-1450));
  });

  test('refuse to mix currencies, as a conflict', () => {
    const mixed = () => add(eur(100), money(100, 'USD'));
    expect(mixed).toThrow(DomainError);
    try {
      mixed();
    } catch (error) {
      expect((error as DomainError).code).toBe('conflict');
    }
    expect(() => subtract(eur(100), money(100, 'GBP'))).toThrow(DomainError);
    expect(() => sum([eur(1), money(1, 'USD')], 'EUR')).toThrow(DomainError);
  });

  test('refuse results beyond safe integers instead of losing units', () => {
    expect(() => add(eur(Number.MAX_SAFE_INTEGER), eur(1))).toThrow(RangeError);
    expect(() => subtract(eur(Number.MIN_SAFE_INTEGER), eur(1))).toThrow(RangeError);
  });
});

describe('multiplyRatio rounds half away from zero', () => {
  test('exact halves go up, not to even and not down', () => {
    expect(multiplyRatio(eur(2901), 1, 2).amount).toBe(1451); // 1450.5
    expect(multiplyRatio(eur(2903), 1, 2).amount).toBe(1452); // 1451.5
    expect(multiplyRatio(eur(5), 1, 10).amount).toBe(1); // 0.5
    expect(multiplyRatio(eur(4), 1, 10).amount).toBe(0); // 0.4
  });

  test('negative halves go away from zero', () => {
    expect(multiplyRatio(eur(-2901), 1, 2).amount).toBe(-1451); // −1450.5
    expect(multiplyRatio(eur(2901), -1, 2).amount).toBe(-1451);
    expect(multiplyRatio(eur(-2000), 1, 3).amount).toBe(-667); // −666.67
  });

  test('below a half rounds down, above rounds up', () => {
    expect(multiplyRatio(eur(1000), 1, 3).amount).toBe(333); // 333.33
    expect(multiplyRatio(eur(2000), 1, 3).amount).toBe(667); // 666.67
    expect(multiplyRatio(eur(2900), 21, 31).amount).toBe(1965); // 1964.516…
    expect(multiplyRatio(eur(9900), 21, 31).amount).toBe(6706); // 6706.451…
  });

  test('is exact where floating point is not', () => {
    // 3,002,399,751,580,331 × 3 = 9,007,199,254,740,993 (> 2^53); / 2 = …496.5 → …497. Floats give …496.
    expect(multiplyRatio(eur(3_002_399_751_580_331), 3, 2).amount).toBe(4_503_599_627_370_497);
    expect(multiplyRatio(eur(Number.MAX_SAFE_INTEGER), 7, 7).amount).toBe(Number.MAX_SAFE_INTEGER);
  });

  test('keeps the currency and refuses bad operands', () => {
    expect(multiplyRatio(money(999, 'JPY'), 1, 2)).toEqual(money(500, 'JPY'));
    expect(() => multiplyRatio(eur(100), 1, 0)).toThrow(RangeError);
    expect(() => multiplyRatio(eur(100), 1, -2)).toThrow(RangeError);
    expect(() => multiplyRatio(eur(100), 0.5, 1)).toThrow(RangeError);
    expect(() => multiplyRatio({ amount: 1.5, currency: 'EUR' }, 1, 1)).toThrow(RangeError);
    expect(() => multiplyRatio(eur(Number.MAX_SAFE_INTEGER), 2, 1)).toThrow(RangeError);
  });
});

describe('a charge: price × quantity / per', () => {
  test('is exact however large: 10^12 per 1,000 tokens × 10^13 tokens is 10^22, every digit', () => {
    expect(exactCharge(1e12, 1e13, 1000)).toBe(10n ** 22n);
    // 2^53 + 1 tokens would be lost by a float; the BigInt keeps the unit.
    expect(exactCharge(1, Number.MAX_SAFE_INTEGER, 1)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(exactCharge(25, 2500, 1000)).toBe(63n); // 62.5 rounds half away from zero
  });

  test('within the ceiling is money; one unit past it is amount_out_of_range, not a RangeError', () => {
    expect(charge(eur(1e12), 1000, 1000)).toEqual(eur(MAX_CHARGE));
    expect(charge(eur(25), 600, 1000)).toEqual(eur(15));
    let refused: unknown;
    try {
      charge(eur(1e12), 1e13, 1000);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'amount_out_of_range', details: { amount: '10000000000000000000000', max_amount: MAX_CHARGE, currency: 'EUR' } });
    expect(() => charge(eur(1e12), 1001, 1000)).toThrow(DomainError);
    expect(() => charge(eur(-1e12), 1001, 1000)).toThrow(DomainError);
  });

  test('the ceiling leaves an invoice of many such lines, with 100 % tax, a safe integer', () => {
    const lines = Array.from({ length: 1000 }, () => eur(MAX_CHARGE));
    const { total } = applyTaxBasisPoints(sum(lines, 'EUR'), 10_000);
    expect(Number.isSafeInteger(total.amount)).toBe(true);
    expect(total.amount).toBe(2 * 1000 * MAX_CHARGE);
  });

  test('refuses a fractional or negative quantity and a bad divisor', () => {
    expect(() => exactCharge(100, 1.5, 1000)).toThrow(RangeError);
    expect(() => exactCharge(100, -1, 1000)).toThrow(RangeError);
    expect(() => exactCharge(100, 1, 0)).toThrow(RangeError);
    expect(() => exactCharge(0.5, 1, 1)).toThrow(RangeError);
  });
});

describe('tax in basis points', () => {
  test('rounds the tax half up and adds it', () => {
    expect(applyTaxBasisPoints(eur(150), 1900)).toEqual({ tax: eur(29), total: eur(179) }); // 28.5
    expect(applyTaxBasisPoints(eur(1999), 1900)).toEqual({ tax: eur(380), total: eur(2379) }); // 379.81
    expect(applyTaxBasisPoints(eur(150), 700)).toEqual({ tax: eur(11), total: eur(161) }); // 10.5
    expect(applyTaxBasisPoints(eur(4999), 1).tax.amount).toBe(0); // 0.4999
    expect(applyTaxBasisPoints(eur(5000), 1).tax.amount).toBe(1); // 0.5
    expect(applyTaxBasisPoints(eur(12345), 0)).toEqual({ tax: eur(0), total: eur(12345) });
  });

  test('a credit gets a negative tax, rounded away from zero', () => {
    expect(applyTaxBasisPoints(eur(-150), 1900)).toEqual({ tax: eur(-29), total: eur(-179) });
  });

  test('the rate is whole basis points', () => {
    expect(() => applyTaxBasisPoints(eur(100), 19.5)).toThrow(RangeError);
    expect(() => applyTaxBasisPoints(eur(100), -1)).toThrow(RangeError);
  });
});

describe('allocate', () => {
  test('parts always sum to the amount', () => {
    expect(amounts(allocate(eur(100), [1, 1, 1]))).toEqual([34, 33, 33]);
    expect(amounts(allocate(eur(100), [1, 1, 1, 1, 1, 1]))).toEqual([17, 17, 17, 17, 16, 16]);
    expect(amounts(allocate(eur(1001), [1, 1]))).toEqual([501, 500]);
    expect(amounts(allocate(eur(5), [0, 1]))).toEqual([0, 5]);
    expect(amounts(allocate(eur(0), [1, 2]))).toEqual([0, 0]);
  });

  test('leftover units go to the largest remainders, not to the first parts', () => {
    // 10 × 1/3 = 3.33, 10 × 2/3 = 6.67
    expect(amounts(allocate(eur(10), [1, 2]))).toEqual([3, 7]);
    // 100 × 7,5,3,2 / 17 = 41 r3, 29 r7, 17 r11, 11 r13 → the two leftover units go to the last two
    expect(amounts(allocate(eur(100), [7, 5, 3, 2]))).toEqual([41, 29, 18, 12]);
  });

  test('a negative amount splits as its magnitude', () => {
    expect(amounts(allocate(eur(-100), [1, 1, 1]))).toEqual([-34, -33, -33]);
    expect(allocate(eur(-100), [1, 1, 1]).every((m) => m.currency === 'EUR')).toBe(true);
  });

  test('needs usable weights', () => {
    expect(() => allocate(eur(100), [])).toThrow(RangeError);
    expect(() => allocate(eur(100), [0, 0])).toThrow(RangeError);
    expect(() => allocate(eur(100), [1, -1])).toThrow(RangeError);
    expect(() => allocate(eur(100), [0.5, 0.5])).toThrow(RangeError);
  });
});

describe('formatting', () => {
  test('minor-unit digits per ISO 4217', () => {
    for (const c of ['EUR', 'USD', 'GBP', 'CHF']) expect(minorUnitDigits(c)).toBe(2);
    for (const c of ['JPY', 'KRW']) expect(minorUnitDigits(c)).toBe(0);
    for (const c of ['BHD', 'KWD']) expect(minorUnitDigits(c)).toBe(3);
    expect(minorUnitDigits('SEK')).toBe(2);
  });

  test('renders the major unit without floats', () => {
    expect(formatMoney(eur(1234))).toBe('12.34 EUR');
    expect(formatMoney(eur(5))).toBe('0.05 EUR');
    expect(formatMoney(eur(-5))).toBe('-0.05 EUR');
    expect(formatMoney(money(0, 'USD'))).toBe('0.00 USD');
    expect(formatMoney(money(100000, 'GBP'))).toBe('1000.00 GBP');
    expect(formatMoney(money(1234, 'JPY'))).toBe('1234 JPY');
    expect(formatMoney(money(1234, 'BHD'))).toBe('1.234 BHD');
    expect(formatMoney(money(5, 'KWD'))).toBe('0.005 KWD');
    expect(formatMoney(eur(Number.MAX_SAFE_INTEGER))).toBe('90071992547409.91 EUR');
  });
});

describe('minor units come from ISO 4217 (currency-codes)', () => {
  test('every currency gets its own exponent, not a default of two', () => {
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('BHD')).toBe(3);
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('CLF')).toBe(4);
    expect(minorUnitDigits('UYW')).toBe(4);
    expect(minorUnitDigits('UYI')).toBe(0);
    expect(formatMoney(money(12345, 'CLF'))).toBe('1.2345 CLF');
    expect(formatMoney(money(-1200, 'JPY'))).toBe('-1200 JPY');
  });

  test('a code that is not ISO 4217 is not money', () => {
    expect(() => minorUnitDigits('XYZ')).toThrow(RangeError);
    expect(() => money(100, 'XYZ')).toThrow(RangeError);
    expect(() => money(100, 'XXX')).toThrow(RangeError);
  });
});

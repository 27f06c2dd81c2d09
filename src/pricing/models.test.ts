import { describe, expect, test } from 'bun:test';
import { DomainError } from '../kernel/errors.ts';
import { MAX_CHARGE } from '../kernel/money.ts';
import { priceCharge, type ChargeDefinition, type Tier } from './models.ts';

/** Dollars in the examples are cents here: prices are decimal strings of minor units. */
const amountOf = (definition: ChargeDefinition, quantity: number) => priceCharge(definition, quantity).amount;

describe('published worked examples, to the cent', () => {
  // https://docs.stripe.com/subscriptions/pricing-models/tiered-pricing ("Typographic"):
  // tiers 1-5 fonts at 7 USD, 6-10 at 6.5 USD, 11+ at 6 USD. Volume-based: "a customer with 5 fonts
  // is charged 35 USD (5 × 7 USD) … 6 fonts … 39 USD (6 × 6.5 USD)"; its table: 1 → 7 USD,
  // 5 → 35 USD, 6 → 39 USD, 20 → 120 USD, 25 → 150 USD.
  const typographic: Tier[] = [
    { up_to: 5, unit_price: '700' },
    { up_to: 10, unit_price: '650' },
    { up_to: null, unit_price: '600' },
  ];

  test('Stripe volume-based pricing (Typographic): 1, 5, 6, 20, 25 fonts → 7, 35, 39, 120, 150 USD', () => {
    const volume: ChargeDefinition = { model: 'volume', tiers: typographic };
    expect([1, 5, 6, 20, 25].map((q) => amountOf(volume, q))).toEqual([700, 3500, 3900, 12000, 15000]);
  });

  test('Stripe graduated pricing (Typographic): "5 fonts result in the same charge as volume-based pricing: 35 USD"; past it, each tier at its own price', () => {
    const graduated: ChargeDefinition = { model: 'graduated', tiers: typographic };
    expect(amountOf(graduated, 5)).toBe(3500);
    // Our sums by hand, tier by tier: 6 = 5 × 7 + 1 × 6.5; 20 = 35 + 5 × 6.5 + 10 × 6; 25 = 35 + 32.5 + 15 × 6.
    expect([6, 20, 25].map((q) => amountOf(graduated, q))).toEqual([4150, 12750, 15750]);
    expect(priceCharge(graduated, 6).lines).toEqual([
      { tier: 1, first_unit: 1, last_unit: 5, units: 5, unit_price: '700', flat_fee: '0', amount: '3500' },
      { tier: 2, first_unit: 6, last_unit: 10, units: 1, unit_price: '650', flat_fee: '0', amount: '650' },
    ]);
  });

  // https://stripe.com/docs/billing/subscriptions/tiers: tiers up_to=5 at $5, up_to=10 at $4,
  // up_to=15 at $3, up_to=20 at $2, up_to=inf at $1. Volume: 1 → $5, 5 → $25, 6 → $24, 20 → $40,
  // 25 → $25 ("the total can decrease"). Graduated: "the total cost for an amount of 6 is $29:
  // $25 for the 5 quantity that falls into the first tier" and $4 for the sixth.
  const classic: Tier[] = [
    { up_to: 5, unit_price: '500' },
    { up_to: 10, unit_price: '400' },
    { up_to: 15, unit_price: '300' },
    { up_to: 20, unit_price: '200' },
    { up_to: null, unit_price: '100' },
  ];

  test('Stripe tiers (classic): volume 1, 5, 6, 20, 25 → $5, $25, $24, $40, $25; graduated 6 → $29', () => {
    expect([1, 5, 6, 20, 25].map((q) => amountOf({ model: 'volume', tiers: classic }, q))).toEqual([500, 2500, 2400, 4000, 2500]);
    expect(amountOf({ model: 'graduated', tiers: classic }, 6)).toBe(2900);
  });

  test('Lago graduated: $1 per unit for the first 100, $0.50 for the next 100, $0.10 beyond; 250 API calls → 155 USD', () => {
    // Tiers: https://getlago.com/docs/guide/plans/charges/charge-models/graduated ("$1 per unit for
    // the first 100 units …, then $0.50 per unit for the next 100 calls and finally, $0.10 for any
    // additional unit"). Total: https://getlago.com/docs/v2/guide/rate-cards/pricing-models/graduated
    // ("The calculated fee for these 250 API calls is 155 USD before tax"). 100 × 1 + 100 × 0.5 + 50 × 0.1 = 155.
    // (The excerpt of the rate-card page we could read gives the quantity and the total, not its tier table;
    // the first page's tiers come to exactly that total.)
    const lago: ChargeDefinition = {
      model: 'graduated',
      tiers: [
        { up_to: 100, unit_price: '100' },
        { up_to: 200, unit_price: '50' },
        { up_to: null, unit_price: '10' },
      ],
    };
    const priced = priceCharge(lago, 250);
    expect(priced.amount).toBe(15500);
    expect(priced.lines.map((l) => [l.units, l.amount])).toEqual([[100, '10000'], [100, '5000'], [50, '500']]);
  });

  test('Lago volume: 65,000 API calls → 65,000 × $0.0006 + $10 = $49', () => {
    // https://getlago.com/docs/guide/plans/charges/charge-models/volume: tiers 0–10,000 at $0.0010,
    // 10,001–50,000 at $0.0008, 50,001–100,000 at $0.0006, 100,001–∞ at $0.0004, each with a $10 fee;
    // "65,000 API calls would cost 65,000 x $0.0006 + $10 = $49".
    const lago: ChargeDefinition = {
      model: 'volume',
      tiers: [
        { up_to: 10_000, unit_price: '0.1', flat_fee: '1000' },
        { up_to: 50_000, unit_price: '0.08', flat_fee: '1000' },
        { up_to: 100_000, unit_price: '0.06', flat_fee: '1000' },
        { up_to: null, unit_price: '0.04', flat_fee: '1000' },
      ],
    };
    const priced = priceCharge(lago, 65_000);
    expect(priced.amount).toBe(4900);
    expect(priced.lines).toEqual([{ tier: 3, first_unit: 50_001, last_unit: 100_000, units: 65_000, unit_price: '0.06', flat_fee: '1000', amount: '4900' }]);
  });

  test('Lago package: $5 per 100 units, the first 100 free; 201 units → $0 + $5 + $5 = $10', () => {
    // https://getlago.com/docs/guide/plans/charges/charge-models/package: "charge $5 per 100 units and
    // offer the first 100 units … 201 units would cost $0 (first 100 units) + $5 (next 100 units) + $5 (last unit) = $10".
    // Lago's free units are our included_quantity.
    const priced = priceCharge({ model: 'package', package_size: 100, package_price: '500', included_quantity: 100 }, 201);
    expect(priced.amount).toBe(1000);
    expect(priced.lines).toEqual([{ tier: 1, first_unit: 1, last_unit: null, units: 101, unit_price: '500', package_size: 100, packages: 2, flat_fee: '0', amount: '1000' }]);
  });

  test('Lago package (rate cards): 2,000 calls in packages of 100 at 1 USD → 20 USD; 50 free calls, 200 calls → 2 USD', () => {
    // https://getlago.com/docs/v2/guide/rate-cards/pricing-models/package: "The 2,000 calls fill exactly
    // 20 packages, giving a calculated fee of 20 USD"; "with 50 free calls, packages of 100 calls and a
    // package price of 1 USD, 200 calls leave 150 billable calls. Lago rounds these up to two packages,
    // for a fee of 2 USD".
    expect(amountOf({ model: 'package', package_size: 100, package_price: '100' }, 2000)).toBe(2000);
    expect(amountOf({ model: 'package', package_size: 100, package_price: '100', included_quantity: 50 }, 200)).toBe(200);
  });

  test('Lago standard: $0.05 per API call, 1,000 calls → $50', () => {
    // https://doc.getlago.com/docs/guide/plans/charges: "If a customer makes 1,000 API calls during the
    // billing period, the total invoice amount will be $0.05 x 1,000 API calls = $50."
    expect(amountOf({ model: 'per_unit', unit_price: '5' }, 1000)).toBe(5000);
  });
});

/** A deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (below: number) => Math.floor(next() * below) };
}

/** Random tiers: increasing bounds, prices with up to 3 decimals, some flat fees, the last open. */
function randomTiers(r: ReturnType<typeof random>): Tier[] {
  const count = 1 + r.int(4);
  let bound = 0;
  return Array.from({ length: count }, (_, i) => {
    bound += 1 + r.int(20);
    const price = `${r.int(1000)}.${String(r.int(1000)).padStart(3, '0')}`;
    return { up_to: i === count - 1 ? null : bound, unit_price: price, ...(r.int(2) ? { flat_fee: String(r.int(500)) } : {}) };
  });
}

describe('graduated, checked unit by unit', () => {
  test('the amount is the sum over units of the price of the tier each falls in, plus the flat fee of each tier reached (in thousandths, by hand)', () => {
    const r = random(7);
    for (let run = 0; run < 300; run++) {
      const tiers = randomTiers(r);
      const quantity = r.int(100);
      // In thousandths of a minor unit, with plain integers: every price here has at most 3 decimals.
      const milli = (price: string) => Math.round(Number(price) * 1000);
      let total = 0;
      const reached = new Set<number>();
      for (let unit = 1; unit <= quantity; unit++) {
        const index = tiers.findIndex((t) => t.up_to === null || unit <= t.up_to);
        total += milli(tiers[index]!.unit_price);
        if (!reached.has(index)) {
          reached.add(index);
          total += milli(tiers[index]!.flat_fee ?? '0');
        }
      }
      const priced = priceCharge({ model: 'graduated', tiers }, quantity);
      expect(priced.subtotal).toBe(String(total / 1000));
      expect(priced.amount).toBe(Math.floor((total + 500) / 1000));
      expect(priced.lines.reduce((s, l) => s + l.units, 0)).toBe(quantity);
    }
  });
});

describe('amounts never fall as the quantity grows', () => {
  test('per_unit, graduated and package are non-decreasing in the quantity', () => {
    const r = random(11);
    for (let run = 0; run < 50; run++) {
      const tiers = randomTiers(r);
      const definitions: ChargeDefinition[] = [
        { model: 'per_unit', unit_price: tiers[0]!.unit_price, included_quantity: r.int(10) },
        { model: 'graduated', tiers, included_quantity: r.int(10) },
        { model: 'package', package_size: 1 + r.int(15), package_price: tiers[0]!.unit_price, included_quantity: r.int(10) },
      ];
      for (const definition of definitions) {
        const amounts = Array.from({ length: 120 }, (_, q) => amountOf(definition, q));
        expect(amounts.every((a, q) => q === 0 || a >= amounts[q - 1]!)).toBe(true);
      }
    }
  });

  test('volume is not: its total may fall when the quantity enters a cheaper tier (Stripe: 5 → $25, 6 → $24)', () => {
    const tiers: Tier[] = [{ up_to: 5, unit_price: '500' }, { up_to: null, unit_price: '400' }];
    expect([amountOf({ model: 'volume', tiers }, 5), amountOf({ model: 'volume', tiers }, 6)]).toEqual([2500, 2400]);
  });
});

describe('decimal prices and the one rounding', () => {
  test('"0.00025" of a cent per token × 1,000,000,000 tokens is 250,000 cents exactly', () => {
    const priced = priceCharge({ model: 'per_unit', unit_price: '0.00025' }, 1_000_000_000);
    expect(priced.subtotal).toBe('250000');
    expect(priced.amount).toBe(250_000);
  });

  test('exactly half a minor unit rounds up; just under half rounds down; 2.5 is 3, not 2', () => {
    expect(amountOf({ model: 'per_unit', unit_price: '0.5' }, 1)).toBe(1);
    expect(amountOf({ model: 'per_unit', unit_price: '0.5' }, 3)).toBe(2);
    expect(amountOf({ model: 'per_unit', unit_price: '2.5' }, 1)).toBe(3);
    expect(amountOf({ model: 'per_unit', unit_price: '0.000000000001' }, 500_000_000_000)).toBe(1);
    expect(amountOf({ model: 'per_unit', unit_price: '0.000000000001' }, 499_999_999_999)).toBe(0);
    expect(amountOf({ model: 'per_unit', unit_price: '0.499999999999' }, 1)).toBe(0);
  });

  test('the lines stay exact and only the total is rounded: three tiers of 0.4 come to 1, not 3 × 0 nor 3 × 1', () => {
    const priced = priceCharge({ model: 'graduated', tiers: [{ up_to: 1, unit_price: '0.4' }, { up_to: 2, unit_price: '0.4' }, { up_to: null, unit_price: '0.4' }] }, 3);
    expect(priced.lines.map((l) => l.amount)).toEqual(['0.4', '0.4', '0.4']);
    expect(priced.subtotal).toBe('1.2');
    expect(priced.rounded).toBe(1);
    expect(priced.amount).toBe(1);
  });
});

describe('included quantity, minimum and maximum', () => {
  test('included units are free and the tiers count the units past them', () => {
    const priced = priceCharge({ model: 'graduated', tiers: [{ up_to: 10, unit_price: '2' }, { up_to: null, unit_price: '1' }], included_quantity: 100 }, 115);
    expect(priced.billable_quantity).toBe(15);
    expect(priced.amount).toBe(25);
    expect(priceCharge({ model: 'per_unit', unit_price: '3', included_quantity: 100 }, 40).amount).toBe(0);
  });

  test('a minimum raises the rounded amount, a maximum lowers it, and the breakdown says which applied', () => {
    const perUnit = { model: 'per_unit', unit_price: '1.5', min_amount: 100, max_amount: 1000 } as const;
    expect(priceCharge(perUnit, 10)).toMatchObject({ rounded: 15, minimum_applied: true, maximum_applied: false, amount: 100 });
    expect(priceCharge(perUnit, 100)).toMatchObject({ rounded: 150, minimum_applied: false, maximum_applied: false, amount: 150 });
    expect(priceCharge(perUnit, 1000)).toMatchObject({ rounded: 1500, minimum_applied: false, maximum_applied: true, amount: 1000 });
  });

  test('nothing used, nothing reached: tiers charge no flat fee for zero units; a minimum still applies', () => {
    const tiers: Tier[] = [{ up_to: 10, unit_price: '1', flat_fee: '500' }, { up_to: null, unit_price: '1', flat_fee: '700' }];
    expect(priceCharge({ model: 'graduated', tiers }, 0)).toMatchObject({ lines: [], amount: 0 });
    expect(priceCharge({ model: 'volume', tiers }, 0)).toMatchObject({ lines: [], amount: 0 });
    expect(amountOf({ model: 'graduated', tiers }, 11)).toBe(500 + 700 + 11);
    expect(amountOf({ model: 'volume', tiers, min_amount: 300 }, 0)).toBe(300);
  });
});

describe('the ceiling of one charge', () => {
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error instanceof DomainError ? { code: error.code, details: error.details } : error;
    }
    return null;
  };

  test(`an amount past MAX_CHARGE (${MAX_CHARGE}) is refused as amount_out_of_range with the exact amount; MAX_CHARGE itself is billed`, () => {
    expect(amountOf({ model: 'per_unit', unit_price: '1000' }, 1_000_000_000)).toBe(MAX_CHARGE);
    expect(refusal(() => priceCharge({ model: 'per_unit', unit_price: '1000' }, 1_000_000_001))).toEqual({
      code: 'amount_out_of_range',
      details: { amount: '1000000001000', max_amount: MAX_CHARGE },
    });
    expect(refusal(() => priceCharge({ model: 'graduated', tiers: [{ up_to: 1, unit_price: '0', flat_fee: '999999999999999' }, { up_to: null, unit_price: '0' }] }, 1))).toMatchObject({ code: 'amount_out_of_range' });
  });

  test('a maximum below the ceiling caps the amount before the ceiling is judged', () => {
    expect(amountOf({ model: 'per_unit', unit_price: '999999999999999', max_amount: 5000 }, 9_000_000)).toBe(5000);
  });

  test('a quantity that is no whole, non-negative number is a bug upstream (RangeError)', () => {
    expect(() => priceCharge({ model: 'per_unit', unit_price: '1' }, -1)).toThrow(RangeError);
    expect(() => priceCharge({ model: 'per_unit', unit_price: '1' }, 1.5)).toThrow(RangeError);
    expect(() => priceCharge({ model: 'per_unit', unit_price: '1.0000000000001' }, 1)).toThrow(RangeError);
  });
});

import { describe, expect, test } from 'bun:test';
import { DomainError } from '../kernel/errors.ts';
import { MAX_CHARGE, money } from '../kernel/money.ts';
import { overageCharge } from '../plans/terms.ts';
import { legacyOverageCharge } from './legacy.ts';
import { priceCharge } from './models.ts';

/** A deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a plan version bills today for a period's tokens: overageCharge of the tokens past the included ones. */
const today = (tokens: number, included: number, pricePer1k: number) => overageCharge(Math.max(0, tokens - included), money(pricePer1k, 'EUR')).amount;

/** The outcome of a call: its amount, or the code it was refused with. */
function outcome(run: () => number): number | string {
  try {
    return run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe("today's overage terms as a per_unit charge", () => {
  test('the price per 1,000 tokens becomes an exact price per token, the included tokens the included quantity', () => {
    expect(legacyOverageCharge(25, 1_000_000)).toEqual({ model: 'per_unit', unit_price: '0.025', included_quantity: 1_000_000 });
    expect(legacyOverageCharge(1, 0)).toEqual({ model: 'per_unit', unit_price: '0.001', included_quantity: 0 });
    expect(legacyOverageCharge(0, 5)).toEqual({ model: 'per_unit', unit_price: '0', included_quantity: 5 });
    expect(legacyOverageCharge(MAX_CHARGE, 0)).toMatchObject({ unit_price: '1000000000' });
  });

  test('bills exactly what overageCharge bills, for 5,000 random plans and periods (seeded): amounts, zeros and refusals alike', () => {
    const next = random(20261207);
    const scales = [10, 1_000, 100_000, 10_000_000, 1_000_000_000, 1_000_000_000_000];
    for (let run = 0; run < 5000; run++) {
      const pick = (list: number[]) => list[Math.floor(next() * list.length)]!;
      const pricePer1k = Math.floor(next() * pick(scales));
      const included = Math.floor(next() * pick(scales));
      const tokens = Math.floor(next() * pick(scales)) + (next() < 0.6 ? included : 0);
      const engine = outcome(() => priceCharge(legacyOverageCharge(pricePer1k, included), tokens).amount);
      expect(engine).toBe(outcome(() => today(tokens, included, pricePer1k)));
    }
  });

  test('the edges agree too: exact halves, the included quantity, one token past MAX_CHARGE', () => {
    const cases: [tokens: number, included: number, pricePer1k: number][] = [
      [500, 0, 1], // 0.5 → 1
      [1500, 0, 1], // 1.5 → 2
      [2500, 0, 1], // 2.5 → 3, not 2
      [499, 0, 1], // 0.499 → 0
      [1_000_100, 1_000_000, 25], // 100 overage tokens at 25 per 1,000: 2.5 → 3
      [999_999, 1_000_000, 25], // within the included tokens
      [1000, 0, MAX_CHARGE], // exactly MAX_CHARGE
      [1001, 0, MAX_CHARGE], // past it
      [Number.MAX_SAFE_INTEGER, 0, 1], // 9,007,199,254,740.991 → refused
    ];
    for (const [tokens, included, price] of cases) {
      expect(outcome(() => priceCharge(legacyOverageCharge(price, included), tokens).amount)).toBe(outcome(() => today(tokens, included, price)));
    }
    expect(outcome(() => priceCharge(legacyOverageCharge(MAX_CHARGE, 0), 1001).amount)).toBe('amount_out_of_range');
    expect(priceCharge(legacyOverageCharge(1, 0), 2500).amount).toBe(3);
  });
});

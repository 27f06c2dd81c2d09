import { describe, expect, test } from 'bun:test';
import type { StoredCharge } from '../../db/schema/index.ts';
import { overageCharge } from '../plans/terms.ts';
import { effectiveCharges, priceFor, priceMeterCharge, versionCharges } from './charges.ts';

const tokens = (model: string, token_type: string, quantity: number) => ({ dimensions: { model, token_type }, quantity });

const perModel: StoredCharge = {
  meter: 'ai_tokens',
  model: 'per_unit',
  unit_price: '0.0001',
  prices: [
    { dimensions: { model: 'gpt-4o', token_type: 'output' }, unit_price: '0.001' },
    { dimensions: { model: 'gpt-4o' }, unit_price: '0.00025' },
  ],
};

describe('a usage charge with prices per dimension', () => {
  test('each price takes the groups it matches, the most specific first, and rounds its line once', () => {
    const priced = priceMeterCharge(perModel, [tokens('gpt-4o', 'output', 1_000_001), tokens('gpt-4o', 'input', 2_000_000), tokens('gpt-4o', 'cached', 3), tokens('mini', 'input', 5_000)]);
    expect(priced.lines.map((l) => [l.dimensions, l.quantity, l.amount])).toEqual([
      [{ model: 'gpt-4o', token_type: 'output' }, 1_000_001, 1000], // 1000.001 → 1000
      [{ model: 'gpt-4o' }, 2_000_003, 500], // 500.00075 → 500
      [null, 5_000, 1], // 0.5 → 1 (half up)
    ]);
    expect(priced.amount).toBe(1501);
    expect(priced.unpriced).toEqual([]);
  });

  test('without a default price the usage no entry names is unpriced and bills nothing', () => {
    const { unit_price: _, ...noDefault } = perModel;
    const priced = priceMeterCharge(noDefault, [tokens('mini', 'input', 10), tokens('gpt-4o', 'input', 4_000)]);
    expect(priced.unpriced).toEqual([tokens('mini', 'input', 10)]);
    expect(priced.amount).toBe(1);
    expect(priceFor(noDefault, { model: 'mini' })).toBeNull();
  });

  test('the period minimum raises the charge and the maximum caps it, shown as an adjustment', () => {
    expect(priceMeterCharge({ ...perModel, min_amount: 700 }, [tokens('mini', 'input', 10_000)])).toMatchObject({ subtotal: 1, adjustment: 699, amount: 700 });
    expect(priceMeterCharge({ ...perModel, max_amount: 900 }, [tokens('gpt-4o', 'output', 1_000_000)])).toMatchObject({ subtotal: 1000, adjustment: -100, amount: 900 });
    expect(priceMeterCharge({ ...perModel, min_amount: 700 }, [])).toMatchObject({ lines: [], subtotal: 0, amount: 700 });
  });

  test('a graduated price counts its tiers over the summed quantity of the groups it takes', () => {
    const charge: StoredCharge = { meter: 'api_calls', model: 'graduated', tiers: [{ up_to: 100, unit_price: '0', flat_fee: '0' }, { up_to: null, unit_price: '2', flat_fee: '50' }] };
    const priced = priceMeterCharge(charge, [{ dimensions: { region: 'eu' }, quantity: 60 }, { dimensions: { region: 'us' }, quantity: 60 }]);
    expect(priced.lines).toHaveLength(1);
    expect(priced.amount).toBe(20 * 2 + 50);
  });
});

describe('the charges of a plan version', () => {
  test('token terms become one per_unit charge on ai_tokens that bills exactly what they billed', () => {
    for (const [included, price, used] of [[1000, 7, 12_345], [0, 3, 1], [50_000, 1999, 49_999], [0, 1, 499], [0, 1, 500]] as const) {
      const charges = versionCharges({ charges: null, includedTokens: included, overagePricePer1k: price });
      const priced = priceMeterCharge(charges[0]!, [tokens('any', 'input', used)]);
      expect(priced.amount).toBe(overageCharge(Math.max(0, used - included), { amount: price, currency: 'USD' }).amount);
    }
    expect(versionCharges({ charges: [], includedTokens: 100, overagePricePer1k: 0 })).toEqual([]);
    expect(versionCharges({ charges: [perModel], includedTokens: 100, overagePricePer1k: 5 })).toEqual([perModel]);
    const storage: StoredCharge = { meter: 'storage', model: 'per_unit', unit_price: '1' };
    expect(versionCharges({ charges: [storage], includedTokens: 100, overagePricePer1k: 5 })).toEqual([storage, { meter: 'ai_tokens', model: 'per_unit', unit_price: '0.005', included_quantity: 100 } as never]);
  });

  test("a negotiated charge takes the place of the version's charge of its meter, or is added", () => {
    const deal: StoredCharge = { meter: 'ai_tokens', model: 'per_unit', unit_price: '0.00005' };
    const seats: StoredCharge = { meter: 'storage', model: 'per_unit', unit_price: '1' };
    expect(effectiveCharges([perModel], [deal, seats])).toEqual([deal, seats]);
    expect(effectiveCharges([perModel], [])).toEqual([perModel]);
  });
});

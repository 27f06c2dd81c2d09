import { describe, expect, test } from 'bun:test';
import type { StoredCharge } from '../../db/schema/index.ts';
import { priceMeterCharge } from '../pricing/charges.ts';
import { revenueByModel, shareByQuantity } from './model-revenue.ts';

describe('sharing an amount by quantity', () => {
  test('the shares add up to the amount exactly: floors, then the units left to the largest remainders', () => {
    expect(shareByQuantity(4850, [['gpt-x', 190_000], ['small', 2000], ['mystery', 5000]])).toEqual(new Map([['gpt-x', 4678], ['small', 49], ['mystery', 123]]));
    expect(shareByQuantity(10, [['a', 1], ['b', 1], ['c', 1]])).toEqual(new Map([['a', 4], ['b', 3], ['c', 3]]));
    expect(shareByQuantity(-10, [['a', 1], ['b', 1], ['c', 1]])).toEqual(new Map([['a', -4], ['b', -3], ['c', -3]]));
    expect(shareByQuantity(0, [['a', 1]])).toEqual(new Map());
  });
});

describe('revenue per model of a token charge', () => {
  test('a price naming a model is its own; a price naming other dimensions, the default and the minimum are shared by tokens', () => {
    const charge: StoredCharge = {
      meter: 'ai_tokens',
      model: 'per_unit',
      unit_price: '1',
      min_amount: 1000,
      prices: [{ dimensions: { model: 'a' }, unit_price: '2' }, { dimensions: { token_type: 'output' }, unit_price: '3' }],
    };
    const groups = [
      { dimensions: { model: 'a', token_type: 'input' }, quantity: 100 }, // a's own price: 200
      { dimensions: { model: 'b', token_type: 'output' }, quantity: 30 }, // output price, 90 + 60 shared by tokens: b 90, c 60
      { dimensions: { model: 'c', token_type: 'output' }, quantity: 20 },
      { dimensions: { model: 'c', token_type: 'input' }, quantity: 50 }, // default: 50
    ];
    const priced = priceMeterCharge(charge, groups);
    expect([priced.subtotal, priced.adjustment]).toEqual([400, 600]);
    // The minimum's 600 by tokens over a 100, b 30, c 70: 300, 90, 210.
    expect(revenueByModel(charge, groups, priced)).toEqual(new Map([['a', 500], ['b', 180], ['c', 320]]));
  });
});

import { describe, expect, test } from 'bun:test';
import { planDraw } from './allocate.ts';

describe('planDraw', () => {
  const credits = [
    { id: 'expires-soon', remaining: 1549 },
    { id: 'expires-later', remaining: 300 },
    { id: 'never', remaining: 1000 },
  ];

  test('takes each entry in order until the amount is met, the last one in part', () => {
    expect(planDraw(credits, 2000)).toEqual({ drawn: 2000, takes: [{ id: 'expires-soon', take: 1549 }, { id: 'expires-later', take: 300 }, { id: 'never', take: 151 }] });
  });

  test('draws what there is when the entries hold less than the amount', () => {
    expect(planDraw(credits, 10_000)).toEqual({ drawn: 2849, takes: [{ id: 'expires-soon', take: 1549 }, { id: 'expires-later', take: 300 }, { id: 'never', take: 1000 }] });
  });

  test('nothing for nothing: no amount, no credit, or spent entries', () => {
    expect(planDraw(credits, 0)).toEqual({ drawn: 0, takes: [] });
    expect(planDraw([], 500)).toEqual({ drawn: 0, takes: [] });
    expect(planDraw([{ id: 'spent', remaining: 0 }, { id: 'left', remaining: 5 }], 3)).toEqual({ drawn: 3, takes: [{ id: 'left', take: 3 }] });
  });
});

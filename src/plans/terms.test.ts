import { describe, expect, test } from 'bun:test';
import { applyTerms, archivedStatus, canChangeTerms, changedTerms, otherPrices, priceIn, type PlanTerms } from './terms.ts';

const pro: PlanTerms = {
  name: 'Pro',
  price_amount: 4900,
  currency: 'EUR',
  interval: 'month',
  trial_days: 14,
  included_tokens: 1_000_000,
  overage_price_per_1k: 25,
  quota_policy: 'overage',
  features: ['sso', 'audit-log'],
  prices: [],
  entitlements: [],
  seat_price: 0,
  charges: [],
};

describe('plan terms', () => {
  test('a patch repeating the current terms changes nothing', () => {
    expect(changedTerms(pro, {})).toEqual([]);
    expect(changedTerms(pro, { ...pro, features: [...pro.features] })).toEqual([]);
    expect(changedTerms(pro, { price_amount: 4900, currency: 'EUR', quota_policy: 'overage' })).toEqual([]);
  });

  test('names each changed term, in a stable order', () => {
    expect(changedTerms(pro, { quota_policy: 'block', price_amount: 5900, name: 'Pro' })).toEqual(['price_amount', 'quota_policy']);
    expect(changedTerms(pro, { interval: 'year', trial_days: 0, included_tokens: 2_000_000, overage_price_per_1k: 20, currency: 'USD' })).toEqual([
      'currency',
      'interval',
      'trial_days',
      'included_tokens',
      'overage_price_per_1k',
    ]);
  });

  test('zero is a change, not an absence', () => {
    expect(changedTerms(pro, { price_amount: 0, trial_days: 0 })).toEqual(['price_amount', 'trial_days']);
  });

  test('name and features alone are changes too; feature order counts', () => {
    expect(changedTerms(pro, { name: 'Pro 2' })).toEqual(['name']);
    expect(changedTerms(pro, { features: ['audit-log', 'sso'] })).toEqual(['features']);
    expect(changedTerms(pro, { features: [] })).toEqual(['features']);
  });

  test('applying a patch gives the next terms and leaves the current ones untouched', () => {
    const next = applyTerms(pro, { price_amount: 5900, features: ['sso'] });
    expect(next).toEqual({ ...pro, price_amount: 5900, features: ['sso'] });
    expect(pro.price_amount).toBe(4900);
    expect(pro.features).toEqual(['sso', 'audit-log']);
    expect(applyTerms(pro, {})).toEqual(pro);
    expect(applyTerms(pro, {}).features).not.toBe(pro.features);
  });

  test('only active plans change; archiving works once', () => {
    expect(canChangeTerms('active')).toBe(true);
    expect(canChangeTerms('archived')).toBe(false);
    expect(archivedStatus('active')).toBe('archived');
    expect(archivedStatus('archived')).toBeNull();
  });
});

describe('prices per currency', () => {
  const defaults = { currency: 'EUR', price_amount: 4900, overage_price_per_1k: 25, seat_price: 0 };
  const usd = { currency: 'USD', price_amount: 5500, overage_price_per_1k: 30, seat_price: 0 };
  const jpy = { currency: 'JPY', price_amount: 7900, overage_price_per_1k: 4, seat_price: 0 };

  test('keeps the other currencies sorted; an entry in the default currency is the default price', () => {
    expect(otherPrices(defaults, [usd, defaults, jpy])).toEqual({ defaults, others: [jpy, usd] });
    expect(otherPrices(defaults, [usd])).toEqual({ defaults, others: [usd] });
    expect(otherPrices(defaults, [{ ...defaults, price_amount: 1 }])).toEqual({ defaults: { ...defaults, price_amount: 1 }, others: [] });
  });

  test('a version is priced in its default currency and in each of its prices, nowhere else', () => {
    const terms = { ...pro, prices: [jpy, usd] };
    expect(priceIn(terms, 'EUR')).toEqual(defaults);
    expect(priceIn(terms, 'JPY')).toEqual(jpy);
    expect(priceIn(terms, 'GBP')).toBeNull();
  });

  test('a changed price list is a changed term', () => {
    expect(changedTerms(pro, { prices: [usd] })).toEqual(['prices']);
    expect(applyTerms(pro, { prices: [usd] }).prices).toEqual([usd]);
  });
});

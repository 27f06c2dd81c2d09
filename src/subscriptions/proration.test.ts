import { describe, expect, test } from 'bun:test';
import { money } from '../kernel/money.ts';
import { DomainError } from '../kernel/errors.ts';
import { periodContaining } from './periods.ts';
import { prorate } from './proration.ts';

const utc = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h);
const eur = (amount: number) => money(amount, 'EUR');
const DAY = 86_400_000;

// April 2026: 30 days. January 2026: 31 days.
const april = { periodStart: utc(2026, 4, 1), periodEnd: utc(2026, 5, 1) };
const january = { periodStart: utc(2026, 1, 1), periodEnd: utc(2026, 2, 1) };

describe('proration of a plan change', () => {
  test('upgrade exactly halfway through a 30-day period', () => {
    const p = prorate({ oldPrice: eur(2900), newPrice: eur(9900), ...april, changeAt: utc(2026, 4, 16) });
    expect(p.remainingMs).toBe(15 * DAY);
    expect(p.periodMs).toBe(30 * DAY);
    expect(p.credit).toEqual(eur(-1450)); // 2900 × 15/30
    expect(p.charge).toEqual(eur(4950)); // 9900 × 15/30
    expect(p.net).toEqual(eur(3500));
    expect(p.lines).toEqual([
      { kind: 'proration_credit', amount: eur(-1450), from: utc(2026, 4, 16), to: utc(2026, 5, 1) },
      { kind: 'proration_charge', amount: eur(4950), from: utc(2026, 4, 16), to: utc(2026, 5, 1) },
    ]);
  });

  test('upgrade in a 31-day month after 10 days: each line rounded half up on its own', () => {
    const p = prorate({ oldPrice: eur(2900), newPrice: eur(9900), ...january, changeAt: utc(2026, 1, 11) });
    expect(p.remainingMs).toBe(21 * DAY);
    expect(p.credit.amount).toBe(-1965); // 2900 × 21/31 = 1964.516… → 1965 (floor would say 1964)
    expect(p.charge.amount).toBe(6706); // 9900 × 21/31 = 6706.451… → 6706 (ceiling would say 6707)
    expect(p.net.amount).toBe(4741);
  });

  test('downgrade in the same month is the mirror image', () => {
    const p = prorate({ oldPrice: eur(9900), newPrice: eur(2900), ...january, changeAt: utc(2026, 1, 11) });
    expect(p.credit.amount).toBe(-6706);
    expect(p.charge.amount).toBe(1965);
    expect(p.net.amount).toBe(-4741);
    expect(p.lines.map((l) => l.kind)).toEqual(['proration_credit', 'proration_charge']);
  });

  test('an exact half minor unit rounds away from zero on both lines', () => {
    const p = prorate({ oldPrice: eur(2901), newPrice: eur(4901), ...april, changeAt: utc(2026, 4, 16) });
    expect(p.credit.amount).toBe(-1451); // 1450.5, not 1450 (banker's or truncation)
    expect(p.charge.amount).toBe(2451); // 2450.5
    const yen = prorate({ oldPrice: money(2999, 'JPY'), newPrice: money(4999, 'JPY'), ...january, changeAt: utc(2026, 1, 16, 12) });
    expect(yen.remainingMs).toBe(15.5 * DAY);
    expect(yen.credit).toEqual(money(-1500, 'JPY')); // 2999 × 15.5/31 = 1499.5
    expect(yen.charge).toEqual(money(2500, 'JPY')); // 4999 × 15.5/31 = 2499.5
  });

  test('a change at the very start swaps the whole price', () => {
    const p = prorate({ oldPrice: eur(2900), newPrice: eur(9900), ...april, changeAt: april.periodStart });
    expect(p.remainingMs).toBe(p.periodMs);
    expect(p.credit.amount).toBe(-2900);
    expect(p.charge.amount).toBe(9900);
    expect(p.net.amount).toBe(7000);
  });

  test('a millisecond after the start still rounds to the whole price', () => {
    const p = prorate({ oldPrice: eur(2900), newPrice: eur(9900), ...april, changeAt: april.periodStart + 1 });
    expect(p.credit.amount).toBe(-2900); // 2899.99999… (truncation would say 2899)
    expect(p.charge.amount).toBe(9900);
  });

  test('a change at the very end prorates nothing and adds no lines', () => {
    const p = prorate({ oldPrice: eur(2900), newPrice: eur(9900), ...april, changeAt: april.periodEnd });
    expect(p.remainingMs).toBe(0);
    expect(p.credit.amount).toBe(0);
    expect(p.charge.amount).toBe(0);
    expect(p.net).toEqual(eur(0));
    expect(p.lines).toEqual([]);
    expect(prorate({ oldPrice: eur(2900), newPrice: eur(9900), ...april, changeAt: april.periodEnd - 1 }).lines).toEqual([]);
  });

  test('a change between equal prices nets to zero but shows both lines', () => {
    const p = prorate({ oldPrice: eur(4900), newPrice: eur(4900), ...january, changeAt: utc(2026, 1, 11) });
    expect(p.credit.amount).toBe(-3319); // 4900 × 21/31 = 3319.35…
    expect(p.charge.amount).toBe(3319);
    expect(p.net.amount).toBe(0);
    expect(p.lines).toHaveLength(2);
  });

  test('a yearly plan changed after 100 days of 365', () => {
    const p = prorate({ oldPrice: eur(99000), newPrice: eur(199000), periodStart: utc(2026, 1, 1), periodEnd: utc(2027, 1, 1), changeAt: utc(2026, 4, 11) });
    expect(p.remainingMs).toBe(265 * DAY);
    expect(p.credit.amount).toBe(-71877); // 99000 × 265/365 = 71876.71…
    expect(p.charge.amount).toBe(144479); // 199000 × 265/365 = 144479.45…
    expect(p.net.amount).toBe(72602);
  });

  test('in a clamped February period from a Jan 31 anchor', () => {
    const period = periodContaining(utc(2026, 1, 31), 'month', utc(2026, 2, 14));
    const p = prorate({ oldPrice: eur(2900), newPrice: eur(9900), periodStart: period.start, periodEnd: period.end, changeAt: utc(2026, 2, 14) });
    expect(p.periodMs).toBe(28 * DAY);
    expect(p.remainingMs).toBe(14 * DAY);
    expect([p.credit.amount, p.charge.amount]).toEqual([-1450, 4950]);
  });

  test('refuses changes outside the period and across currencies', () => {
    expect(() => prorate({ oldPrice: eur(2900), newPrice: eur(9900), ...april, changeAt: april.periodStart - 1 })).toThrow(RangeError);
    expect(() => prorate({ oldPrice: eur(2900), newPrice: eur(9900), ...april, changeAt: april.periodEnd + 1 })).toThrow(RangeError);
    expect(() => prorate({ oldPrice: eur(2900), newPrice: eur(9900), periodStart: 10, periodEnd: 10, changeAt: 10 })).toThrow(RangeError);
    expect(() => prorate({ oldPrice: eur(2900), newPrice: money(9900, 'USD'), ...april, changeAt: utc(2026, 4, 16) })).toThrow(DomainError);
  });
});

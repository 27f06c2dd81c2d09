import { describe, expect, test } from 'bun:test';
import { addMovement, contributionOf, isOverdue, lastMonths, monthlyAmount, monthStart, movementPerWindow, perPeriod, stateAt, type Movement, type PricedState, type Timeline } from './metrics.ts';

const eur = (status: PricedState['status'], price: number, interval: PricedState['interval'] = 'month'): PricedState => ({ status, price, currency: 'EUR', interval });
const at = (iso: string) => Date.parse(iso);

describe('MRR arithmetic', () => {
  test('a yearly price counts as a twelfth, rounded half away from zero; a monthly one as is', () => {
    expect(monthlyAmount(2900, 'month')).toBe(2900);
    expect(monthlyAmount(12_000, 'year')).toBe(1000);
    expect(monthlyAmount(18, 'year')).toBe(2); // 1.5 → 2
    expect(monthlyAmount(17, 'year')).toBe(1); // 1.41… → 1
  });

  test('only active and past_due subscriptions count', () => {
    expect(contributionOf(eur('active', 100))).toEqual({ currency: 'EUR', amount: 100 });
    expect(contributionOf(eur('past_due', 100))).toEqual({ currency: 'EUR', amount: 100 });
    for (const status of ['trialing', 'incomplete', 'canceled'] as const) expect(contributionOf(eur(status, 100))).toBeNull();
    expect(contributionOf(null)).toBeNull();
  });

  test('a change is new, expansion, contraction or churn, and net adds up', () => {
    const m = new Map<string, Movement>();
    addMovement(m, null, { currency: 'EUR', amount: 100 });
    addMovement(m, { currency: 'EUR', amount: 100 }, { currency: 'EUR', amount: 250 });
    addMovement(m, { currency: 'EUR', amount: 250 }, { currency: 'EUR', amount: 200 });
    addMovement(m, { currency: 'EUR', amount: 70 }, null);
    addMovement(m, { currency: 'EUR', amount: 70 }, { currency: 'EUR', amount: 70 });
    addMovement(m, null, null);
    expect(m.get('EUR')).toEqual({ new: 100, expansion: 150, contraction: 50, churn: 70, net: 130 });
    expect([...m.keys()]).toEqual(['EUR']);
  });
});

describe('movement per window', () => {
  const bounds = [at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z'), at('2026-03-01T00:00:00Z')];

  test('reads each subscription at the start and the end of each window', () => {
    const timelines: Timeline[] = [
      // active before January, upgraded in January, canceled in February
      { initial: eur('active', 1000), changes: [{ at: at('2026-01-10T00:00:00Z'), state: eur('active', 3000) }, { at: at('2026-02-05T00:00:00Z'), state: eur('canceled', 3000) }] },
      // trial in January, paid in February (new in February, not January)
      { initial: null, changes: [{ at: at('2026-01-20T00:00:00Z'), state: eur('trialing', 500) }, { at: at('2026-02-20T00:00:00Z'), state: eur('active', 500) }] },
      // created, paid and canceled within January: moves nothing
      { initial: null, changes: [{ at: at('2026-01-02T00:00:00Z'), state: eur('active', 900) }, { at: at('2026-01-03T00:00:00Z'), state: eur('canceled', 900) }] },
      // a yearly plan downgraded in February
      { initial: eur('active', 24_000, 'year'), changes: [{ at: at('2026-02-02T00:00:00Z'), state: eur('active', 12_000, 'year') }] },
    ];
    const [january, february] = movementPerWindow(timelines, bounds);
    expect(january!.get('EUR')).toEqual({ new: 0, expansion: 2000, contraction: 0, churn: 0, net: 2000 });
    expect(february!.get('EUR')).toEqual({ new: 500, expansion: 0, contraction: 1000, churn: 3000, net: -3500 });
  });

  test('a state takes effect at its time, not before', () => {
    const timeline: Timeline = { initial: null, changes: [{ at: 10, state: eur('active', 1) }] };
    expect(stateAt(timeline, 10)).toBeNull();
    expect(stateAt(timeline, 11)).toEqual(eur('active', 1));
  });
});

describe('calendar and buckets', () => {
  test('months are UTC calendar months, across a year boundary', () => {
    expect(new Date(monthStart(at('2026-03-31T23:59:59Z'))).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(lastMonths(at('2026-02-15T12:00:00Z'), 3).map((m) => new Date(m).toISOString().slice(0, 7))).toEqual(['2025-12', '2026-01', '2026-02']);
  });

  test('amounts fall in the period that contains them, per currency; outside ones are dropped', () => {
    const starts = [0, 10, 20];
    const sums = perPeriod(
      [
        { at: 0, key: 'EUR', amount: 1 },
        { at: 9, key: 'EUR', amount: 2 },
        { at: 10, key: 'EUR', amount: 4 },
        { at: 29, key: 'USD', amount: 8 },
        { at: 30, key: 'EUR', amount: 100 },
        { at: -1, key: 'EUR', amount: 100 },
      ],
      starts,
      30,
    );
    expect(Object.fromEntries(sums)).toEqual({ EUR: [3, 4, 0], USD: [0, 0, 8] });
  });

  test('an open invoice is overdue once its charge failed or nothing collects it', () => {
    expect(isOverdue({ firstFailedAt: null, autoCollect: true })).toBe(false);
    expect(isOverdue({ firstFailedAt: 5, autoCollect: true })).toBe(true);
    expect(isOverdue({ firstFailedAt: null, autoCollect: false })).toBe(true);
  });
});

import { describe, expect, test } from 'bun:test';
import { DomainError } from '../kernel/errors.ts';
import { MAX_CHARGE, money } from '../kernel/money.ts';
import type { QuotaPolicy } from '../plans/terms.ts';
import { overageCharge } from '../plans/terms.ts';
import { checkUsage, overageWithinLimit, periodOverageTokens } from './quota.ts';

const eur = (amount: number) => money(amount, 'EUR');
const check = (policy: QuotaPolicy, usedTokens: number, recordTokens: number, quotaExceeded = false, includedTokens = 1000) =>
  checkUsage({ includedTokens, usedTokens, recordTokens, policy, quotaExceeded });

/** Feeds records through one period as the usage verb will: counts and the crossed flag carried forward. */
function runPeriod(policy: QuotaPolicy, includedTokens: number, records: number[]) {
  let used = 0;
  let exceeded = false;
  return records.map((recordTokens) => {
    const d = checkUsage({ includedTokens, usedTokens: used, recordTokens, policy, quotaExceeded: exceeded });
    used = d.usedTokens;
    exceeded ||= d.crossesQuota;
    return d;
  });
}

describe('usage under the overage policy', () => {
  test('the record that crosses the quota is overage only for its part beyond it', () => {
    expect(check('overage', 900, 250)).toEqual({ accepted: true, usedTokens: 1150, overageTokens: 150, crossesQuota: true });
  });

  test('after the quota every token is overage and the crossing is not repeated', () => {
    expect(check('overage', 1150, 100, true)).toEqual({ accepted: true, usedTokens: 1250, overageTokens: 100, crossesQuota: false });
  });

  test('filling the quota exactly is not crossing it; one more token is', () => {
    expect(check('overage', 900, 100)).toEqual({ accepted: true, usedTokens: 1000, overageTokens: 0, crossesQuota: false });
    expect(check('overage', 1000, 1)).toEqual({ accepted: true, usedTokens: 1001, overageTokens: 1, crossesQuota: true });
    expect(check('overage', 1000, 0)).toEqual({ accepted: true, usedTokens: 1000, overageTokens: 0, crossesQuota: false });
  });

  test('a period: overage adds up to the period total and the quota is crossed once', () => {
    const decisions = runPeriod('overage', 1000, [400, 400, 400, 400]);
    expect(decisions.map((d) => d.overageTokens)).toEqual([0, 0, 200, 400]);
    expect(decisions.map((d) => d.crossesQuota)).toEqual([false, false, true, false]);
    expect(periodOverageTokens(1000, decisions.at(-1)!.usedTokens)).toBe(600);
  });
});

describe('usage under the block policy', () => {
  test('accepts up to the quota exactly', () => {
    expect(check('block', 900, 100)).toEqual({ accepted: true, usedTokens: 1000, overageTokens: 0, crossesQuota: false });
    expect(check('block', 1000, 0)).toEqual({ accepted: true, usedTokens: 1000, overageTokens: 0, crossesQuota: false });
  });

  test('refuses a whole record that would pass the quota, and counts none of it', () => {
    expect(check('block', 900, 101)).toEqual({ accepted: false, usedTokens: 900, overageTokens: 0, crossesQuota: true });
    expect(check('block', 0, 1, false, 0)).toEqual({ accepted: false, usedTokens: 0, overageTokens: 0, crossesQuota: true });
  });

  test('later refusals in the same period do not cross again', () => {
    expect(check('block', 900, 101, true)).toEqual({ accepted: false, usedTokens: 900, overageTokens: 0, crossesQuota: false });
    const decisions = runPeriod('block', 1000, [400, 400, 400, 100, 300]);
    expect(decisions.map((d) => d.accepted)).toEqual([true, true, false, true, false]);
    expect(decisions.map((d) => d.usedTokens)).toEqual([400, 800, 800, 900, 900]);
    expect(decisions.map((d) => d.crossesQuota)).toEqual([false, false, true, false, false]);
  });
});

describe('token counts', () => {
  test('are whole and non-negative', () => {
    expect(() => check('overage', 0, -1)).toThrow(RangeError);
    expect(() => check('overage', 0, 1.5)).toThrow(RangeError);
    expect(() => check('overage', -1, 1)).toThrow(RangeError);
    expect(() => check('overage', Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError);
    expect(() => periodOverageTokens(1000, -1)).toThrow(RangeError);
  });

  test('period overage is what lies beyond the included tokens', () => {
    expect(periodOverageTokens(1000, 900)).toBe(0);
    expect(periodOverageTokens(1000, 1000)).toBe(0);
    expect(periodOverageTokens(1000, 1600)).toBe(600);
    expect(periodOverageTokens(0, 5)).toBe(5);
  });
});

describe('overage charge', () => {
  test('is round_half_up(tokens × price per 1k / 1000)', () => {
    expect(overageCharge(600, eur(25))).toEqual(eur(15)); // 15
    expect(overageCharge(2500, eur(25))).toEqual(eur(63)); // 62.5: not 62 (banker's, truncation)
    expect(overageCharge(1500, eur(25))).toEqual(eur(38)); // 37.5
    expect(overageCharge(150, eur(25))).toEqual(eur(4)); // 3.75
    expect(overageCharge(1_234_567, eur(25))).toEqual(eur(30_864)); // 30,864.175: not 30,865 (ceiling)
    expect(overageCharge(1, eur(499))).toEqual(eur(0)); // 0.499
    expect(overageCharge(1, eur(500))).toEqual(eur(1)); // 0.5
    expect(overageCharge(0, eur(25))).toEqual(eur(0));
    expect(overageCharge(1500, money(3, 'JPY'))).toEqual(money(5, 'JPY')); // 4.5
  });

  test('is rounded once on the period total, not per record', () => {
    // 1,000 records of one token at 0.25 EUR per 1k: 0.025 cent each would round to 0 every time.
    expect(overageCharge(1, eur(25)).amount).toBe(0);
    expect(overageCharge(1000, eur(25)).amount).toBe(25);
  });

  test('refuses a charge past the ceiling as amount_out_of_range, and negative input', () => {
    expect(() => overageCharge(1e15, eur(1e12))).toThrow(DomainError);
    expect(() => overageCharge(1e13, eur(1e12))).toThrow(expect.objectContaining({ code: 'amount_out_of_range' }));
    expect(overageCharge(1000, eur(1e12))).toEqual(eur(MAX_CHARGE));
    expect(() => overageCharge(-1, eur(25))).toThrow(RangeError);
    expect(() => overageCharge(10, eur(-25))).toThrow(RangeError);
  });
});

describe('the overage limit of a period', () => {
  test('holds while the charge is at most the ceiling, computed exactly', () => {
    expect(overageWithinLimit(1000, 1e12)).toBe(true); // exactly 10^12
    expect(overageWithinLimit(1001, 1e12)).toBe(false);
    expect(overageWithinLimit(1e13, 1e12)).toBe(false); // 10^22, the case that once made a 500
    expect(overageWithinLimit(Number.MAX_SAFE_INTEGER, 0)).toBe(true); // free overage is never too much
    expect(overageWithinLimit(4e13, 25)).toBe(true); // 10^12 at 0.25 EUR per 1k
    expect(overageWithinLimit(4e13 + 20, 25)).toBe(false); // 1,000,000,000,000.5 rounds up past it
  });
});

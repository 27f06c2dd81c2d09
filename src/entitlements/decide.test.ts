import { describe, expect, test } from 'bun:test';
import { decide, effectiveEntitlements, meterOf, remainingOf } from './decide.ts';

const plan = { includedTokens: 1000, quotaPolicy: 'block' as const };

describe('entitlement decisions', () => {
  test('an override replaces the plan entitlement of its feature and adds new ones', () => {
    const effective = effectiveEntitlements(
      [{ feature: 'sso', type: 'boolean' }, { feature: 'seats', type: 'static', value: 5 }],
      [{ feature: 'seats', type: 'static', value: 20 }, { feature: 'exports', type: 'metered', limit: 3 }],
    );
    expect(effective).toEqual([
      { feature: 'sso', type: 'boolean', source: 'plan' },
      { feature: 'seats', type: 'static', value: 20, source: 'override' },
      { feature: 'exports', type: 'metered', limit: 3, source: 'override' },
    ]);
  });

  test('ai_tokens without a limit takes the included tokens; overage plans allow past them', () => {
    expect(meterOf({ feature: 'ai_tokens', type: 'metered' }, plan, 10)).toEqual({ limit: 1000, used: 10, overage: false });
    expect(meterOf({ feature: 'ai_tokens', type: 'metered' }, { ...plan, quotaPolicy: 'overage' }, 10).overage).toBe(true);
    expect(meterOf({ feature: 'ai_tokens', type: 'metered', limit: 50 }, { ...plan, quotaPolicy: 'overage' }, 10)).toEqual({ limit: 50, used: 10, overage: false });
  });

  test('metered: allowed while used + amount stays within the limit', () => {
    const e = { feature: 'exports', type: 'metered' as const, limit: 3 };
    expect(decide(e, { limit: 3, used: 2, overage: false }, 1)).toEqual({ allowed: true });
    expect(decide(e, { limit: 3, used: 2, overage: false }, 2)).toEqual({ allowed: false, reason: 'limit_reached' });
    expect(decide(e, { limit: 3, used: 3, overage: false }, 1)).toEqual({ allowed: false, reason: 'limit_reached' });
    expect(decide(e, { limit: 3, used: 9, overage: true }, 5)).toEqual({ allowed: true });
    expect(remainingOf({ limit: 3, used: 9, overage: true })).toBe(0);
  });

  test('boolean unless withdrawn; static always', () => {
    expect(decide({ feature: 'sso', type: 'boolean' }, null, 1)).toEqual({ allowed: true });
    expect(decide({ feature: 'sso', type: 'boolean', value: false }, null, 1)).toEqual({ allowed: false, reason: 'not_entitled' });
    expect(decide({ feature: 'seats', type: 'static', value: 10 }, null, 1)).toEqual({ allowed: true });
  });
});

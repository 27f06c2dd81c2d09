import type { Entitlement } from '../../db/schema/index.ts';
import { AI_TOKENS } from '../plans/entitlements.ts';
import type { QuotaPolicy } from '../plans/terms.ts';
import type { CheckRefusal, entitlementSources } from './contract.ts';

/** An entitlement in effect for a subscription, and where it comes from. */
export type EffectiveEntitlement = Entitlement & { source: (typeof entitlementSources)[number] };

/**
 * The entitlements in effect: the plan version's, each replaced by the subscription's licensed
 * ones (`seats`) and then by its override for the same feature; features the plan lacks are added.
 */
export function effectiveEntitlements(plan: Entitlement[], overrides: Entitlement[], licensed: Entitlement[] = []): EffectiveEntitlement[] {
  const byFeature = new Map<string, EffectiveEntitlement>();
  for (const e of plan) byFeature.set(e.feature, { ...e, source: 'plan' });
  for (const e of licensed) byFeature.set(e.feature, { ...e, source: 'licensed' });
  for (const e of overrides) byFeature.set(e.feature, { ...e, source: 'override' });
  return [...byFeature.values()];
}

/** A metered entitlement's allowance for one period. */
export interface Meter {
  limit: number;
  used: number;
  /** Usage past the limit is allowed (and billed): `ai_tokens` under an `overage` plan without a limit of its own. */
  overage: boolean;
}

/**
 * The allowance of a metered entitlement: its `limit`, or for `ai_tokens` without one the
 * plan's included tokens, where the plan's quota policy decides what happens past them.
 */
export function meterOf(e: Entitlement, plan: { includedTokens: number; quotaPolicy: QuotaPolicy }, used: number): Meter {
  if (e.feature === AI_TOKENS && e.limit === undefined) return { limit: plan.includedTokens, used, overage: plan.quotaPolicy === 'overage' };
  return { limit: e.limit ?? 0, used, overage: false };
}

/** What is left of a period's limit; never below 0 (overage is past it). */
export const remainingOf = (meter: Meter) => Math.max(0, meter.limit - meter.used);

/**
 * Whether an entitlement allows a use of `amount` units (1 for a check without consume):
 * a boolean unless withdrawn (`value: false`), a static one always, a metered one while
 * used + amount ≤ limit (or always when overage is allowed).
 */
export function decide(e: Entitlement, meter: Meter | null, amount: number): { allowed: true } | { allowed: false; reason: CheckRefusal } {
  if (e.type === 'boolean') return e.value === false ? { allowed: false, reason: 'not_entitled' } : { allowed: true };
  if (e.type === 'static' || !meter) return { allowed: true };
  if (meter.overage || meter.used + amount <= meter.limit) return { allowed: true };
  return { allowed: false, reason: 'limit_reached' };
}

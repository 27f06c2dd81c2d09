import type { Entitlement, planIntervals, planStatuses, quotaPolicies } from '../../db/schema/index.ts';

export type PlanStatus = (typeof planStatuses)[number];
export type PlanInterval = (typeof planIntervals)[number];
/** Past the included tokens: bill overage per 1,000 tokens, or refuse further usage. */
export type QuotaPolicy = (typeof quotaPolicies)[number];

/** The terms of one plan version, by their API names. Money is integer minor units of `currency`. */
export interface PlanTerms {
  name: string;
  price_amount: number;
  currency: string;
  interval: PlanInterval;
  trial_days: number;
  included_tokens: number;
  overage_price_per_1k: number;
  quota_policy: QuotaPolicy;
  features: string[];
  /** Typed entitlements (src/plans/entitlements.ts); each of `features` is also a boolean one. */
  entitlements: Entitlement[];
}

/** Every term, in the order changes are reported. */
export const termNames = ['name', 'price_amount', 'currency', 'interval', 'trial_days', 'included_tokens', 'overage_price_per_1k', 'quota_policy', 'features', 'entitlements'] as const satisfies readonly (keyof PlanTerms)[];
export type TermName = (typeof termNames)[number];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The terms a patch would change. Empty means the patch is a no-op: it makes no
 * new version and no event. Feature order counts, so a version's history is exact.
 */
export function changedTerms(current: PlanTerms, patch: Partial<PlanTerms>): TermName[] {
  return termNames.filter((term) => patch[term] !== undefined && !same(patch[term], current[term]));
}

/** The terms of the next version: the current ones with the patch applied. */
export function applyTerms(current: PlanTerms, patch: Partial<PlanTerms>): PlanTerms {
  const next = { ...current, features: [...current.features], entitlements: [...current.entitlements] };
  for (const term of changedTerms(current, patch)) (next as Record<TermName, unknown>)[term] = patch[term];
  return next;
}

/** Whether a plan in this status may take a new version; archived plans are frozen. */
export const canChangeTerms = (status: PlanStatus) => status === 'active';

/** The status archiving leads to, or null when the plan is already archived. */
export const archivedStatus = (status: PlanStatus): PlanStatus | null => (status === 'active' ? 'archived' : null);

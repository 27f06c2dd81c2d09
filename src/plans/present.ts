import type { InferSelectModel } from 'drizzle-orm';
import type { Entitlement } from '../../db/schema/index.ts';
import type { plans, planVersions } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { PlanResource } from './contract.ts';
import type { PlanTerms } from './terms.ts';
import { toEntitlement } from './entitlements.ts';

export type PlanRow = InferSelectModel<typeof plans>;
export type PlanVersionRow = InferSelectModel<typeof planVersions>;

/** A version's terms by their API names, for the pure rules. */
export function toPlanTerms(row: PlanVersionRow): PlanTerms {
  return {
    name: row.name,
    price_amount: row.priceAmount,
    currency: row.currency,
    interval: row.interval,
    trial_days: row.trialDays,
    included_tokens: row.includedTokens,
    overage_price_per_1k: row.overagePricePer1k,
    quota_policy: row.quotaPolicy,
    features: row.features,
    entitlements: (row.entitlements ?? []).map(toEntitlement),
  };
}

/** The plan as carried inside events: identity, status and one version's terms. */
export function toPlanSnapshot(plan: PlanRow, version: PlanVersionRow): EventData<'plan.created'>['plan'] & { entitlements: Entitlement[] } {
  return {
    id: plan.id,
    code: plan.code,
    status: plan.status,
    version: version.version,
    name: version.name,
    price: { amount: version.priceAmount, currency: version.currency },
    interval: version.interval,
    trial_days: version.trialDays,
    included_tokens: version.includedTokens,
    overage_price_per_1k: { amount: version.overagePricePer1k, currency: version.currency },
    quota_policy: version.quotaPolicy,
    features: version.features,
    entitlements: (version.entitlements ?? []).map(toEntitlement),
  };
}

/**
 * The API shape of a plan at one version. Status and timestamps are the plan's;
 * everything else is the version's.
 */
export function toPlanResource(plan: PlanRow, version: PlanVersionRow): PlanResource {
  const { id, code, status, ...terms } = toPlanSnapshot(plan, version);
  return {
    id,
    object: 'plan',
    code,
    status,
    ...terms,
    created_at: toIso(plan.createdAt),
    updated_at: toIso(plan.updatedAt),
    archived_at: toIsoOrNull(plan.archivedAt),
  };
}

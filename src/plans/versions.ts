import { planVersions } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import type { PlanVersionRow } from './present.ts';
import type { PlanTerms } from './terms.ts';

/** Writes version `version` of a plan with the given terms; versions are never changed afterwards. */
export async function insertPlanVersion(ctx: TxCtx, planId: string, version: number, terms: PlanTerms): Promise<PlanVersionRow> {
  const [row] = await ctx.tx
    .insert(planVersions)
    .values({
      planId,
      version,
      name: terms.name,
      priceAmount: terms.price_amount,
      currency: terms.currency,
      interval: terms.interval,
      trialDays: terms.trial_days,
      includedTokens: terms.included_tokens,
      overagePricePer1k: terms.overage_price_per_1k,
      quotaPolicy: terms.quota_policy,
      features: terms.features,
      entitlements: terms.entitlements,
      createdAt: ctx.clock.now(),
    })
    .returning();
  return row!;
}

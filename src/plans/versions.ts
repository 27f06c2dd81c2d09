import { planPrices, planVersions } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import type { PlanPriceRow, PlanVersionRow } from './present.ts';
import type { PlanTerms } from './terms.ts';

/**
 * Writes version `version` of a plan with the given terms, its other-currency prices in
 * `plan_prices`; versions are never changed afterwards. Returns the version and those prices.
 */
export async function insertPlanVersion(ctx: TxCtx, planId: string, version: number, terms: PlanTerms): Promise<{ version: PlanVersionRow; prices: PlanPriceRow[] }> {
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
      charges: terms.charges.length > 0 ? terms.charges : null,
      seatPrice: terms.seat_price,
      createdAt: ctx.clock.now(),
    })
    .returning();
  const prices = terms.prices.filter((p) => p.currency !== terms.currency).map((p) => ({ planId, version, currency: p.currency, priceAmount: p.price_amount, overagePricePer1k: p.overage_price_per_1k, seatPrice: p.seat_price }));
  if (prices.length > 0) await ctx.tx.insert(planPrices).values(prices);
  return { version: row!, prices };
}

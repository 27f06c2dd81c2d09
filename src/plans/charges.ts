import type { Executor } from '../../db/client.ts';
import { BUILT_IN_METER_CODE } from '../../db/schema/index.ts';
import { validationError, type FieldIssue } from '../kernel/errors.ts';
import { chargeIssuesAgainst, toStoredCharge } from '../pricing/check-charges.ts';
import type { UsageChargeInput } from '../pricing/contract.ts';
import { entitlementMeterIssues } from './entitlement-meters.ts';
import type { PlanTerms } from './terms.ts';

/**
 * The rules between a version's charges and its other terms, checked before anything is written,
 * every issue at once (400 naming each field):
 *   the charges' own rules against the meters and the version's currency (src/pricing/check-charges.ts);
 *   a charge on `ai_tokens` replaces the token overage, so `overage_price_per_1k` must then be 0;
 *   charges are priced in the version's currency only, so a version with charges has no `prices` in others.
 *   a meter-backed entitlement names a meter that exists, and only dimensions it groups by.
 * `sent` are the charges as the caller sent them (null: unchanged, already checked when written);
 * `entitlementsSent`: whether the entitlements were sent (else unchanged, already checked).
 */
export async function checkChargeTerms(db: Executor, terms: PlanTerms, sent: readonly UsageChargeInput[] | null, entitlementsSent = true): Promise<void> {
  const issues: FieldIssue[] = sent ? await chargeIssuesAgainst(db, sent, terms.currency) : [];
  if (entitlementsSent) issues.push(...(await entitlementMeterIssues(db, terms.entitlements, (e) => `entitlements.${e.feature}.`)));
  if (terms.charges.length > 0) {
    if (terms.overage_price_per_1k > 0 && terms.charges.some((c) => c.meter === BUILT_IN_METER_CODE)) {
      issues.push({ field: 'overage_price_per_1k', message: `must be 0 when a charge prices ${BUILT_IN_METER_CODE}: that charge prices the tokens` });
    }
    const others = terms.prices.filter((p) => p.currency !== terms.currency).map((p) => p.currency);
    if (others.length > 0) issues.push({ field: 'charges', message: `are priced in ${terms.currency} only; a version with charges cannot also be priced in ${others.join(', ')}` });
  }
  if (issues.length > 0) throw validationError(issues);
}

export const storedCharges = (charges: readonly UsageChargeInput[]) => charges.map(toStoredCharge);

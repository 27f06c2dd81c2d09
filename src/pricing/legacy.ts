import { formatDecimal } from './decimal.ts';
import type { ChargeDefinition } from './models.ts';

/**
 * Today's overage terms of a plan version as a charge: `pricePer1k` minor units per 1,000 tokens
 * past `includedTokens` is a per_unit charge of pricePer1k / 1000 minor units per token, which is
 * exact in 12 decimals (pricePer1k × 10^9 of 10^-12 minor units). Priced by the engine it bills
 * exactly what `overageCharge` (src/plans/terms.ts) bills: round_half_up(overage × price / 1000).
 */
export function legacyOverageCharge(pricePer1k: number, includedTokens: number): ChargeDefinition {
  if (!Number.isSafeInteger(pricePer1k) || pricePer1k < 0) throw new RangeError(`an overage price is a whole, non-negative number of minor units, got ${pricePer1k}`);
  if (!Number.isSafeInteger(includedTokens) || includedTokens < 0) throw new RangeError(`included tokens must be a whole, non-negative number, got ${includedTokens}`);
  return { model: 'per_unit', unit_price: formatDecimal(BigInt(pricePer1k) * 1_000_000_000n), included_quantity: includedTokens };
}

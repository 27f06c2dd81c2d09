import { exactCharge, MAX_CHARGE } from '../kernel/money.ts';
import type { QuotaPolicy } from '../plans/terms.ts';

/**
 * Usage against a plan's included tokens, one record at a time, within one period.
 *
 *   after = used + tokens
 *   overage policy: always accepted; overage tokens of the record = after − max(used, included), at least 0
 *   block policy:   accepted only if after ≤ included (a record is never split); no overage
 *   the record crosses the quota when after > included and the period has not crossed it
 *   before; that record emits `usage.quota_exceeded`, so the event comes once per period.
 *
 * Under `block` refused tokens are never counted, so the counts alone cannot tell a
 * first refusal from a later one: the period remembers that it has crossed.
 *
 * Overage is billed once per period on the period's total, not per record, so many
 * small records do not each round away:
 *
 *   overage_tokens = max(0, used − included)
 *   charge = round_half_up(overage_tokens × price_per_1k / 1000)   (integer minor units)
 */
export interface UsageCheck {
  includedTokens: number;
  /** Tokens already accepted in this period. */
  usedTokens: number;
  /** Tokens of the new record. */
  recordTokens: number;
  policy: QuotaPolicy;
  /** Whether this period already crossed its quota (and emitted `usage.quota_exceeded`). */
  quotaExceeded: boolean;
}

export interface UsageDecision {
  accepted: boolean;
  /** The period's used tokens after this record (unchanged when refused). */
  usedTokens: number;
  /** Tokens of this record beyond the included ones; 0 when refused or under `block`. */
  overageTokens: number;
  /** This record crosses the quota: emit `usage.quota_exceeded` and remember it for the period. */
  crossesQuota: boolean;
}

function assertTokens(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole, non-negative number of tokens, got ${n}`);
}

/** Accepts or refuses one usage record against the period's quota. */
export function checkUsage(input: UsageCheck): UsageDecision {
  const { includedTokens, usedTokens, recordTokens, policy, quotaExceeded } = input;
  assertTokens(includedTokens, 'included tokens');
  assertTokens(usedTokens, 'used tokens');
  assertTokens(recordTokens, 'record tokens');
  const after = usedTokens + recordTokens;
  assertTokens(after, 'used tokens after the record');

  const crossesQuota = after > includedTokens && !quotaExceeded;
  if (policy === 'block') {
    const accepted = after <= includedTokens;
    return { accepted, usedTokens: accepted ? after : usedTokens, overageTokens: 0, crossesQuota };
  }
  const overageTokens = Math.max(0, after - Math.max(usedTokens, includedTokens));
  return { accepted: true, usedTokens: after, overageTokens, crossesQuota };
}

/** The period's tokens beyond the included ones. */
export function periodOverageTokens(includedTokens: number, usedTokens: number): number {
  assertTokens(includedTokens, 'included tokens');
  assertTokens(usedTokens, 'used tokens');
  return Math.max(0, usedTokens - includedTokens);
}

/**
 * Whether a period's overage stays billable: round_half_up(overage_tokens × price_per_1k / 1000)
 * ≤ MAX_CHARGE. Usage is refused (`charge_limit`) before it would pass it, so an invoice never
 * meets a charge it cannot carry.
 */
export function overageWithinLimit(overageTokens: number, pricePer1k: number): boolean {
  assertTokens(overageTokens, 'overage tokens');
  return exactCharge(pricePer1k, overageTokens, 1000) <= BigInt(MAX_CHARGE);
}

import { and, asc, eq, isNull } from 'drizzle-orm';
import { usageThresholdCrossings, usageThresholds } from '../../db/schema/index.ts';
import type { NewEvent } from '../events/catalog.ts';
import { toIso } from '../kernel/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import { overageAmount } from './period-billing.ts';
import { toThresholdSnapshot, type UsageThresholdRow } from './present.ts';

/** A period's usage after an accepted record, as the thresholds measure it. */
export interface PeriodUsage {
  subscriptionId: string;
  customerId: string;
  period: { start: number; end: number; trial: boolean };
  usedTokens: number;
  overageTokens: number;
  /** The plan version's fee, overage price and currency. */
  priceAmount: number;
  overagePricePer1k: number;
  currency: string;
  /**
   * The period's usage amount so far by the charges in force, or null when the subscription bills
   * its usage by its token terms (then the overage counts). Asked only when an amount threshold is set.
   */
  chargesAmount?: () => Promise<number | null>;
}

/**
 * The period's value on a threshold's metric:
 *   tokens   used tokens of the period (trial included)
 *   amount   fee + round_half_up(overage_tokens × price_per_1k / 1000), minor units; a trial bills nothing, so 0.
 *            For a subscription priced by charges, fee + `chargesAmount` (Σ the charges so far).
 */
export function measure(metric: UsageThresholdRow['metric'], usage: PeriodUsage, chargesAmount: number | null = null): number {
  if (metric === 'tokens') return usage.usedTokens;
  if (usage.period.trial) return 0;
  return usage.priceAmount + (chargesAmount ?? overageAmount(usage.overageTokens, usage.overagePricePer1k, usage.currency));
}

/**
 * Checks a subscription's thresholds after each accepted usage record of a batch, in the
 * batch's transaction. A threshold is reached when the period's value is at or past it;
 * the first time in a period it writes the crossing (its primary key, threshold and period,
 * makes it once) and returns `usage.threshold_reached`. Thresholds are read once per
 * subscription per batch.
 */
export function thresholdWatch(ctx: TxCtx) {
  const bySubscription = new Map<string, UsageThresholdRow[]>();
  /** `at`: when the record was recorded, on its customer's clock (a sandbox customer's test clock); the context's clock by default. */
  return async function reachThresholds(usage: PeriodUsage, at = ctx.clock.now()): Promise<NewEvent[]> {
    let thresholds = bySubscription.get(usage.subscriptionId);
    if (!thresholds) {
      thresholds = await ctx.tx
        .select()
        .from(usageThresholds)
        .where(and(eq(usageThresholds.subscriptionId, usage.subscriptionId), isNull(usageThresholds.deletedAt)))
        .orderBy(asc(usageThresholds.id));
      bySubscription.set(usage.subscriptionId, thresholds);
    }
    const events: NewEvent[] = [];
    const now = at;
    const charged = usage.chargesAmount && !usage.period.trial && thresholds.some((t) => t.metric === 'amount') ? await usage.chargesAmount() : null;
    for (const threshold of thresholds) {
      const value = measure(threshold.metric, usage, charged);
      if (value < threshold.value) continue;
      const written = await ctx.tx
        .insert(usageThresholdCrossings)
        .values({
          thresholdId: threshold.id,
          periodStart: usage.period.start,
          periodEnd: usage.period.end,
          subscriptionId: usage.subscriptionId,
          valueReached: value,
          reachedAt: now,
          // A trial is never billed, so it has nothing to invoice early.
          earlyInvoiceDue: threshold.invoiceEarly && !usage.period.trial,
          invoiceId: null,
        })
        .onConflictDoNothing()
        .returning({ thresholdId: usageThresholdCrossings.thresholdId });
      if (written.length === 0) continue;
      events.push({
        type: 'usage.threshold_reached',
        subject: usage.subscriptionId,
        data: {
          threshold: toThresholdSnapshot(threshold),
          subscription_id: usage.subscriptionId,
          customer_id: usage.customerId,
          value_reached: value,
          currency: usage.currency,
          period_start: toIso(usage.period.start),
          period_end: toIso(usage.period.end),
        },
      });
    }
    return events;
  };
}

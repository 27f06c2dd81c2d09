import { and, desc, eq, ne } from 'drizzle-orm';
import { subscriptions, usagePeriods, usageRecords } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { NewEvent } from '../events/catalog.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { loadPlanVersion } from '../plans/load.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import { periodContaining } from '../subscriptions/periods.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import { checkUsage } from './quota.ts';
import type { RefusalReason, UsageBatchResource, UsageRecordInput, UsageRecordResult } from './schema.ts';

type Target = { sub: SubscriptionRow } | { reason: RefusalReason };

/** The live subscription a record counts against: the one it names, or the customer's only live one. */
async function targetOf(ctx: TxCtx, input: UsageRecordInput): Promise<Target> {
  if (input.subscription_id) {
    const [sub] = await ctx.tx.select().from(subscriptions).where(and(eq(subscriptions.id, input.subscription_id), eq(subscriptions.customerId, input.customer_id)));
    if (!sub) return { reason: 'no_subscription' };
    return sub.status === 'canceled' ? { reason: 'subscription_canceled' } : { sub };
  }
  const live = await ctx.tx
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, input.customer_id), ne(subscriptions.status, 'canceled')))
    .orderBy(desc(subscriptions.id))
    .limit(2);
  if (live.length === 0) return { reason: 'no_subscription' };
  return live.length > 1 ? { reason: 'ambiguous_subscription' } : { sub: live[0]! };
}

/**
 * The period a record counts in: the billing period containing it, or the trial
 * [created, trial end) for a record from the trial (the trial's usage is never
 * billed). Null before the subscription began.
 */
function usagePeriodOf(sub: SubscriptionRow, plan: PlanVersionRow, at: number): { start: number } | null {
  if (at >= sub.anchor) return periodContaining(sub.anchor, plan.interval, at);
  return sub.trialEnd !== null && at >= sub.createdAt ? { start: sub.createdAt } : null;
}

const refused = (input: UsageRecordInput, reason: RefusalReason, sub?: SubscriptionRow, periodStart?: number): UsageRecordResult => ({
  id: input.id,
  status: 'refused',
  subscription_id: sub?.id ?? null,
  period_start: periodStart === undefined ? null : toIso(periodStart),
  overage_tokens: 0,
  reason,
});

/**
 * Records a batch of usage, one record at a time in order, all in one transaction.
 * A record whose id is already stored is a duplicate and changes nothing. Otherwise
 * it counts in the period of its subscription that contains `occurred_at`, checked
 * with `checkUsage` against the subscription's plan version: accepted records are
 * stored with the period's totals and emit `usage.recorded`; under `block` a record
 * past the quota is refused and not stored. The record that first crosses a period's
 * quota (accepted or not) emits `usage.quota_exceeded`, once per period.
 */
export function recordUsage(ctx: Ctx, records: UsageRecordInput[]): Promise<UsageBatchResource> {
  return withTransaction(ctx, async (ctx) => {
    const now = ctx.clock.now();
    const terms = new Map<string, PlanVersionRow>();
    const events: NewEvent[] = [];
    const touched = new Map<string, { records: number; tokens: number }>();
    const results: UsageRecordResult[] = [];

    for (const input of records) {
      const [stored] = await ctx.tx.select().from(usageRecords).where(eq(usageRecords.id, input.id));
      if (stored) {
        results.push({ id: input.id, status: 'duplicate', subscription_id: stored.subscriptionId, period_start: toIso(stored.periodStart), overage_tokens: stored.overageTokens });
        continue;
      }
      const target = await targetOf(ctx, input);
      if ('reason' in target) {
        results.push(refused(input, target.reason));
        continue;
      }
      const { sub } = target;
      const occurredAt = Date.parse(input.occurred_at);
      const key = `${sub.planId}@${sub.planVersion}`;
      let plan = terms.get(key);
      if (!plan) terms.set(key, (plan = await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion)));
      const period = usagePeriodOf(sub, plan, occurredAt);
      if (!period) {
        results.push(refused(input, 'before_subscription', sub));
        continue;
      }
      const periodKey = and(eq(usagePeriods.subscriptionId, sub.id), eq(usagePeriods.periodStart, period.start));
      const [totals] = await ctx.tx.select().from(usagePeriods).where(periodKey);
      const decision = checkUsage({
        includedTokens: plan.includedTokens,
        usedTokens: totals?.usedTokens ?? 0,
        recordTokens: input.tokens,
        policy: plan.quotaPolicy,
        quotaExceeded: totals?.quotaExceeded ?? false,
      });

      if (decision.accepted || decision.crossesQuota) {
        // The transactor serialises writers, so the totals read above are still current.
        const next = {
          usedTokens: decision.usedTokens,
          overageTokens: (totals?.overageTokens ?? 0) + decision.overageTokens,
          quotaExceeded: (totals?.quotaExceeded ?? false) || decision.crossesQuota,
          updatedAt: now,
        };
        await ctx.tx
          .insert(usagePeriods)
          .values({ subscriptionId: sub.id, periodStart: period.start, ...next })
          .onConflictDoUpdate({ target: [usagePeriods.subscriptionId, usagePeriods.periodStart], set: next });
      }
      if (decision.accepted) {
        const row = {
          id: input.id,
          subscriptionId: sub.id,
          customerId: sub.customerId,
          model: input.model,
          tokens: input.tokens,
          occurredAt,
          periodStart: period.start,
          overageTokens: decision.overageTokens,
          recordedAt: now,
        };
        await ctx.tx.insert(usageRecords).values(row);
        events.push({
          type: 'usage.recorded',
          subject: sub.id,
          data: {
            id: row.id,
            subscription_id: sub.id,
            customer_id: sub.customerId,
            model: row.model,
            tokens: row.tokens,
            occurred_at: toIso(occurredAt),
            period_start: toIso(period.start),
            overage_tokens: row.overageTokens,
            recorded_at: toIso(now),
          },
        });
        const count = touched.get(sub.id) ?? { records: 0, tokens: 0 };
        touched.set(sub.id, { records: count.records + 1, tokens: count.tokens + input.tokens });
      }
      if (decision.crossesQuota) {
        events.push({
          type: 'usage.quota_exceeded',
          subject: sub.id,
          data: { subscription_id: sub.id, customer_id: sub.customerId, period_start: toIso(period.start), included_tokens: plan.includedTokens, quota_policy: plan.quotaPolicy },
        });
      }
      results.push(
        decision.accepted
          ? { id: input.id, status: 'accepted', subscription_id: sub.id, period_start: toIso(period.start), overage_tokens: decision.overageTokens }
          : refused(input, 'quota_exceeded', sub, period.start),
      );
    }

    await emit(ctx, events);
    for (const [subscriptionId, count] of touched) {
      await recordAudit(ctx, { action: 'usage.record', targetType: 'subscription', targetId: subscriptionId, data: count });
    }
    const tally = (status: UsageRecordResult['status']) => results.filter((r) => r.status === status).length;
    return { object: 'usage_batch', accepted: tally('accepted'), duplicates: tally('duplicate'), refused: tally('refused'), results };
  });
}

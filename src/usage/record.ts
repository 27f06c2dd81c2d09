import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { prepared, preparedInsert } from '../../db/prepared.ts';
import { customers, subscriptions, testClocks, usagePeriods, usageRecords } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { NewEvent } from '../events/catalog.ts';
import { emit } from '../events/outbox.ts';
import { frozenClock, toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { thresholdWatch } from '../usage-thresholds/reach.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import { isPeriodClosed, usagePeriodAt } from './period.ts';
import { checkUsage, overageWithinLimit } from './quota.ts';
import { differingField, type UsageRecordRow } from './repeat.ts';
import type { RefusalReason, UsageBatchResource, UsageOutcome, UsageRecordInput, UsageRecordResult } from './contract.ts';

type Target = { sub: SubscriptionRow } | { reason: RefusalReason };

// A batch runs these once per record (up to 1,000 a request): each is built once per connection.
const storedRecord = prepared((db) =>
  db.select().from(usageRecords).where(and(eq(usageRecords.customerId, sql.placeholder('customerId')), eq(usageRecords.clientId, sql.placeholder('clientId')))).prepare(),
);
const namedSubscription = prepared((db) =>
  db.select().from(subscriptions).where(and(eq(subscriptions.id, sql.placeholder('id')), eq(subscriptions.customerId, sql.placeholder('customerId')))).prepare(),
);
const liveSubscriptions = prepared((db) =>
  db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, sql.placeholder('customerId')), ne(subscriptions.status, 'canceled')))
    .orderBy(desc(subscriptions.id))
    .prepare(),
);
const periodTotals = prepared((db) =>
  db.select().from(usagePeriods).where(and(eq(usagePeriods.subscriptionId, sql.placeholder('subscriptionId')), eq(usagePeriods.periodStart, sql.placeholder('periodStart')))).prepare(),
);
const saveTotals = prepared((db) => {
  const next = { usedTokens: sql.placeholder('usedTokens'), overageTokens: sql.placeholder('overageTokens'), quotaExceeded: sql.placeholder('quotaExceeded'), updatedAt: sql.placeholder('updatedAt') };
  return db
    .insert(usagePeriods)
    .values({ subscriptionId: sql.placeholder('subscriptionId'), periodStart: sql.placeholder('periodStart'), ...next })
    .onConflictDoUpdate({ target: [usagePeriods.subscriptionId, usagePeriods.periodStart], set: next as never })
    .prepare();
});
const insertRecord = preparedInsert(usageRecords);

/** Whether the customer was erased: it takes no new usage. */
/** Whether the customer was erased, and the time it lives at: its test clock's for a sandbox customer, else null (the wall clock). */
async function customerState(ctx: TxCtx, customerId: string): Promise<{ erased: boolean; testClockTime: number | null }> {
  const [row] = await ctx.tx
    .select({ status: customers.status, frozenTime: testClocks.frozenTime })
    .from(customers)
    .leftJoin(testClocks, eq(testClocks.id, customers.testClockId))
    .where(eq(customers.id, customerId));
  return { erased: row?.status === 'erased', testClockTime: row?.frozenTime ?? null };
}

/** A plan version meters tokens when it takes any: some included, or overage past them. */
const metersTokens = (plan: PlanVersionRow) => plan.includedTokens > 0 || plan.quotaPolicy === 'overage';

/**
 * The live subscription a record counts against: the one it names; else the customer's only
 * live one; else, of several (a customer an operator allowed more than one), the only one whose
 * plan meters tokens. Several that meter tokens, and none named, is `ambiguous_subscription`.
 */
async function targetOf(ctx: TxCtx, input: UsageRecordInput, termsOf: (sub: SubscriptionRow) => Promise<PlanVersionRow>): Promise<Target> {
  if (input.subscription_id) {
    const sub = await namedSubscription(ctx.tx).get({ id: input.subscription_id, customerId: input.customer_id });
    if (!sub) return { reason: 'no_subscription' };
    return sub.status === 'canceled' ? { reason: 'subscription_canceled' } : { sub };
  }
  const live = await liveSubscriptions(ctx.tx).all({ customerId: input.customer_id });
  if (live.length === 0) return { reason: 'no_subscription' };
  if (live.length === 1) return { sub: live[0]! };
  const metered: SubscriptionRow[] = [];
  for (const sub of live) if (metersTokens(await termsOf(sub))) metered.push(sub);
  return metered.length === 1 ? { sub: metered[0]! } : { reason: 'ambiguous_subscription' };
}

/** The answer to a record whose id its customer already used: the same record again, or a different one. */
function repeated(stored: UsageRecordRow, input: UsageRecordInput): UsageRecordResult {
  const field = differingField(stored, input);
  const seen = { id: input.id, subscription_id: stored.subscriptionId, period_start: toIso(stored.periodStart), overage_tokens: stored.overageTokens };
  return field ? { ...seen, status: 'conflict', field } : { ...seen, status: 'duplicate' };
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
 * Ids are the client's and scoped to the customer: a record whose id the customer
 * already used is a duplicate (the same tokens, model and time) or a conflict (the
 * first field that differs), and changes nothing. Otherwise it is refused when its
 * customer was erased, when it is dated more than `ctx.settings.usage.clockSkewMs` ahead of the clock,
 * before its subscription, or in a period already billed (`period_closed`, see
 * src/usage/period.ts). An accepted record counts in the period of its subscription
 * that contains `occurred_at` (the trial is one), checked with `checkUsage` against
 * the subscription's plan version: accepted records are stored with the period's
 * totals and emit `usage.recorded`; under `block` a record past the quota is refused
 * and not stored. The record that first crosses a period's quota (accepted or not)
 * emits `usage.quota_exceeded`, once per period. After each accepted record the
 * subscription's usage thresholds are checked (src/usage-thresholds/reach.ts): each
 * reached emits `usage.threshold_reached`, once per threshold and period.
 */
export async function recordUsage(ctx: Ctx, records: UsageRecordInput[]): Promise<UsageBatchResource> {
  const { batch, tokens } = await recordBatch(ctx, records);
  // Counted once the batch is written: a rolled-back batch recorded no tokens.
  if (tokens > 0) ctx.metrics.usageTokens(tokens);
  return batch;
}

function recordBatch(ctx: Ctx, records: UsageRecordInput[]): Promise<{ batch: UsageBatchResource; tokens: number }> {
  return withTransaction(ctx, async (ctx) => {
    const wallNow = ctx.clock.now();
    const terms = new Map<string, PlanVersionRow>();
    // In the subscription's currency: an amount threshold sums its fee and overage in it.
    const termsOf = async (sub: SubscriptionRow) => {
      const key = `${sub.planId}@${sub.planVersion}@${sub.currency}`;
      let plan = terms.get(key);
      if (!plan) terms.set(key, (plan = await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion, sub.currency)));
      return plan;
    };
    const states = new Map<string, { erased: boolean; testClockTime: number | null }>();
    // Each record's events are dated when it was recorded: its customer's test clock's time for a
    // sandbox customer, as its `recorded_at` is. One subscription's events share one time, so their order holds.
    const eventsAt = new Map<number, NewEvent[]>();
    const eventsOf = (at: number) => eventsAt.get(at) ?? eventsAt.set(at, []).get(at)!;
    const touched = new Map<string, { records: number; tokens: number; at: number }>();
    const results: UsageRecordResult[] = [];
    const reachThresholds = thresholdWatch(ctx);

    for (const input of records) {
      const stored = await storedRecord(ctx.tx).get({ customerId: input.customer_id, clientId: input.id });
      if (stored) {
        results.push(repeated(stored, input));
        continue;
      }
      let state = states.get(input.customer_id);
      if (!state) states.set(input.customer_id, (state = await customerState(ctx, input.customer_id)));
      if (state.erased) {
        results.push(refused(input, 'customer_erased'));
        continue;
      }
      // A sandbox customer's records are checked against (and recorded at) its test clock's time.
      const now = state.testClockTime ?? wallNow;
      const occurredAt = Date.parse(input.occurred_at);
      if (occurredAt > now + ctx.settings.usage.clockSkewMs) {
        results.push(refused(input, 'in_future'));
        continue;
      }
      const target = await targetOf(ctx, input, termsOf);
      if ('reason' in target) {
        results.push(refused(input, target.reason));
        continue;
      }
      const { sub } = target;
      const plan = await termsOf(sub);
      const period = usagePeriodAt(sub, plan.interval, occurredAt);
      if (!period) {
        results.push(refused(input, 'before_subscription', sub));
        continue;
      }
      if (isPeriodClosed(sub, period)) {
        results.push(refused(input, 'period_closed', sub, period.start));
        continue;
      }
      const totals = await periodTotals(ctx.tx).get({ subscriptionId: sub.id, periodStart: period.start });
      const decision = checkUsage({
        includedTokens: plan.includedTokens,
        usedTokens: totals?.usedTokens ?? 0,
        recordTokens: input.tokens,
        policy: plan.quotaPolicy,
        quotaExceeded: totals?.quotaExceeded ?? false,
      });
      // Bound where the amount enters: the period's overage charge must stay one an invoice can carry.
      if (decision.overageTokens > 0 && !period.trial && !overageWithinLimit((totals?.overageTokens ?? 0) + decision.overageTokens, plan.overagePricePer1k)) {
        results.push(refused(input, 'charge_limit', sub, period.start));
        continue;
      }

      if (decision.accepted || decision.crossesQuota) {
        // The transactor serialises writers, so the totals read above are still current.
        const next = {
          usedTokens: decision.usedTokens,
          overageTokens: (totals?.overageTokens ?? 0) + decision.overageTokens,
          quotaExceeded: (totals?.quotaExceeded ?? false) || decision.crossesQuota,
          updatedAt: now,
        };
        await saveTotals(ctx.tx).run({ subscriptionId: sub.id, periodStart: period.start, ...next });
      }
      if (decision.accepted) {
        const row = {
          customerId: sub.customerId,
          clientId: input.id,
          subscriptionId: sub.id,
          model: input.model,
          tokens: input.tokens,
          occurredAt,
          periodStart: period.start,
          overageTokens: decision.overageTokens,
          recordedAt: now,
        };
        await insertRecord(ctx.tx, row);
        const events = eventsOf(now);
        events.push({
          type: 'usage.recorded',
          subject: sub.id,
          data: {
            id: row.clientId,
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
        events.push(
          ...(await reachThresholds({
            subscriptionId: sub.id,
            customerId: sub.customerId,
            period,
            usedTokens: decision.usedTokens,
            overageTokens: (totals?.overageTokens ?? 0) + decision.overageTokens,
            priceAmount: plan.priceAmount,
            overagePricePer1k: plan.overagePricePer1k,
            currency: plan.currency,
          }, now)),
        );
        const count = touched.get(sub.id) ?? { records: 0, tokens: 0, at: now };
        touched.set(sub.id, { records: count.records + 1, tokens: count.tokens + input.tokens, at: now });
      }
      if (decision.crossesQuota) {
        eventsOf(now).push({
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

    const at = (ms: number) => (ms === wallNow ? ctx : { ...ctx, clock: frozenClock(ms) });
    for (const [ms, events] of eventsAt) await emit(at(ms), events);
    for (const [subscriptionId, { at: ms, ...count }] of touched) {
      await recordAudit(at(ms), { action: 'usage.record', targetType: 'subscription', targetId: subscriptionId, data: count });
    }
    const tally = (status: UsageOutcome) => results.filter((r) => r.status === status).length;
    const tokens = [...touched.values()].reduce((sum, count) => sum + count.tokens, 0);
    return { batch: { object: 'usage_batch', accepted: tally('accepted'), duplicates: tally('duplicate'), conflicts: tally('conflict'), refused: tally('refused'), results }, tokens };
  });
}

import { and, eq, sql } from 'drizzle-orm';
import { prepared, preparedInsert } from '../../db/prepared.ts';
import { customers, testClocks, usagePeriods, usageRecords } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { NewEvent } from '../events/catalog.ts';
import { emit } from '../events/outbox.ts';
import { frozenClock, toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { thresholdWatch } from '../usage-thresholds/reach.ts';
import { periodUsageCharges } from '../pricing/period-usage.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import { isPeriodClosed, usagePeriodAt, type UsagePeriod } from './period.ts';
import { checkUsage, overageWithinLimit, type UsageDecision } from './quota.ts';
import { differingField, type UsageRecordRow } from './repeat.ts';
import { targetOf } from './target.ts';
import { aggregateSums, dimensionsKey } from './aggregates.ts';
import type { RefusalReason, UsageBatchResource, UsageOutcome, UsageRecordInput, UsageRecordResult } from './contract.ts';

/** What the built-in `ai_tokens` meter groups token records by. */
const TOKEN_DIMENSIONS = ['model', 'token_type'];

// A batch runs these once per record (up to 1,000 a request): each is built once per connection.
const storedRecord = prepared((db) =>
  db.select().from(usageRecords).where(and(eq(usageRecords.customerId, sql.placeholder('customerId')), eq(usageRecords.clientId, sql.placeholder('clientId')))).prepare(),
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

/** Whether the customer was erased, and the time it lives at: its test clock's for a sandbox customer, else null (the wall clock). */
async function customerState(ctx: TxCtx, customerId: string): Promise<CustomerState> {
  const [row] = await ctx.tx
    .select({ status: customers.status, frozenTime: testClocks.frozenTime })
    .from(customers)
    .leftJoin(testClocks, eq(testClocks.id, customers.testClockId))
    .where(eq(customers.id, customerId));
  return { erased: row?.status === 'erased', testClockTime: row?.frozenTime ?? null };
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

/** A record's customer: whether it was erased, and its test clock's time (null: the wall clock). */
type CustomerState = { erased: boolean; testClockTime: number | null };

/** What one batch's steps share: its transaction and wall time, memos of terms and customers, and what it emits and audits at the end. */
interface Batch {
  ctx: TxCtx;
  wallNow: number;
  termsOf(sub: SubscriptionRow): Promise<PlanVersionRow>;
  customerOf(customerId: string): Promise<CustomerState>;
  /** The batch's events by the time they are dated. */
  eventsAt: Map<number, NewEvent[]>;
  /** Per subscription: the records and tokens accepted, and when (the audit entry's time). */
  touched: Map<string, { records: number; tokens: number; at: number }>;
  reachThresholds: ReturnType<typeof thresholdWatch>;
  /** What the batch adds to the meters' aggregates, written once per row when it closes. */
  aggregates: ReturnType<typeof aggregateSums>;
}

/** A step's outcome: the record's answer, which ends its steps, or what the next step needs. */
type Step<T> = { answer: UsageRecordResult } | { next: T };
const answer = (result: UsageRecordResult) => ({ answer: result });

/** A record placed in time: at `occurredAt`, recorded `now` (its customer's clock). */
type Dated = { input: UsageRecordInput; now: number; occurredAt: number };
/** …counted against a subscription, under its plan version's terms. */
type Owned = Dated & { sub: SubscriptionRow; plan: PlanVersionRow };
/** …in one of its open periods. */
type Placed = Owned & { period: UsagePeriod };
/** …with the quota's decision and the period's totals once it counts. */
type Charged = Placed & { decision: UsageDecision; totals: { overageTokens: number; quotaExceeded: boolean } };

function recordBatch(ctx: Ctx, records: UsageRecordInput[]): Promise<{ batch: UsageBatchResource; tokens: number }> {
  return withTransaction(ctx, async (ctx) => {
    const batch = openBatch(ctx);
    const results: UsageRecordResult[] = [];
    for (const input of records) results.push(await answerRecord(batch, input));
    return closeBatch(batch, results);
  });
}

/** One record through the steps in order; the first that answers ends it. */
async function answerRecord(batch: Batch, input: UsageRecordInput): Promise<UsageRecordResult> {
  const repeat = await answerRepeat(batch, input);
  if (repeat) return repeat;
  const dated = await checkClockWindow(batch, input);
  if ('answer' in dated) return dated.answer;
  const owned = await findSubscription(batch, dated.next);
  if ('answer' in owned) return owned.answer;
  const placed = findOpenPeriod(owned.next);
  if ('answer' in placed) return placed.answer;
  const charged = await checkQuota(batch, placed.next);
  if ('answer' in charged) return charged.answer;
  return writeRecord(batch, charged.next);
}

/** A batch's shared state, its memos empty. */
function openBatch(ctx: TxCtx): Batch {
  const terms = new Map<string, PlanVersionRow>();
  const states = new Map<string, CustomerState>();
  return {
    ctx,
    wallNow: ctx.clock.now(),
    // In the subscription's currency: an amount threshold sums its fee and overage in it.
    async termsOf(sub) {
      const key = `${sub.planId}@${sub.planVersion}@${sub.currency}`;
      let plan = terms.get(key);
      if (!plan) terms.set(key, (plan = await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion, sub.currency)));
      return plan;
    },
    async customerOf(customerId) {
      let state = states.get(customerId);
      if (!state) states.set(customerId, (state = await customerState(ctx, customerId)));
      return state;
    },
    eventsAt: new Map(),
    touched: new Map(),
    reachThresholds: thresholdWatch(ctx),
    aggregates: aggregateSums(),
  };
}

/**
 * Each record's events are dated when it was recorded: its customer's test clock's time for a
 * sandbox customer, as its `recorded_at` is. One subscription's events share one time, so their order holds.
 */
const eventsOf = (batch: Batch, at: number) => batch.eventsAt.get(at) ?? batch.eventsAt.set(at, []).get(at)!;

/** The id its customer already used: the answer is `duplicate` or `conflict`, and nothing changes. Null for a new id. */
async function answerRepeat(batch: Batch, input: UsageRecordInput): Promise<UsageRecordResult | null> {
  const stored = await storedRecord(batch.ctx.tx).get({ customerId: input.customer_id, clientId: input.id });
  return stored ? repeated(stored, input) : null;
}

/** An erased customer takes no usage; a record dated further ahead of its customer's clock than the skew allows is `in_future`. */
async function checkClockWindow(batch: Batch, input: UsageRecordInput): Promise<Step<Dated>> {
  const state = await batch.customerOf(input.customer_id);
  if (state.erased) return answer(refused(input, 'customer_erased'));
  // A sandbox customer's records are checked against (and recorded at) its test clock's time.
  const now = state.testClockTime ?? batch.wallNow;
  const occurredAt = Date.parse(input.occurred_at);
  if (occurredAt > now + batch.ctx.settings.usage.clockSkewMs) return answer(refused(input, 'in_future'));
  return { next: { input, now, occurredAt } };
}

/** The live subscription the record counts against (`targetOf`) and its plan version's terms. */
async function findSubscription(batch: Batch, dated: Dated): Promise<Step<Owned>> {
  const target = await targetOf(batch.ctx, dated.input, batch.termsOf);
  if ('reason' in target) return answer(refused(dated.input, target.reason));
  return { next: { ...dated, sub: target.sub, plan: await batch.termsOf(target.sub) } };
}

/** The subscription's period containing `occurred_at`: none before the subscription began; one already billed is closed. */
function findOpenPeriod(owned: Owned): Step<Placed> {
  const { input, sub, plan, occurredAt } = owned;
  const period = usagePeriodAt(sub, plan.interval, occurredAt);
  if (!period) return answer(refused(input, 'before_subscription', sub));
  if (isPeriodClosed(sub, period)) return answer(refused(input, 'period_closed', sub, period.start));
  return { next: { ...owned, period } };
}

/**
 * The plan's quota over the period's totals so far (`checkUsage`), and the bound on the period's
 * overage charge: one past what an invoice can carry is `charge_limit`. A record over a `block`
 * quota goes on (its crossing is written) and is answered `quota_exceeded` by `writeRecord`.
 */
async function checkQuota(batch: Batch, placed: Placed): Promise<Step<Charged>> {
  const { input, sub, plan, period } = placed;
  const stored = await periodTotals(batch.ctx.tx).get({ subscriptionId: sub.id, periodStart: period.start });
  const decision = checkUsage({
    includedTokens: plan.includedTokens,
    usedTokens: stored?.usedTokens ?? 0,
    recordTokens: input.tokens,
    policy: plan.quotaPolicy,
    quotaExceeded: stored?.quotaExceeded ?? false,
  });
  const totals = { overageTokens: (stored?.overageTokens ?? 0) + decision.overageTokens, quotaExceeded: (stored?.quotaExceeded ?? false) || decision.crossesQuota };
  // Bound where the amount enters: the period's overage charge must stay one an invoice can carry.
  if (decision.overageTokens > 0 && !period.trial && !overageWithinLimit(totals.overageTokens, plan.overagePricePer1k)) {
    return answer(refused(input, 'charge_limit', sub, period.start));
  }
  return { next: { ...placed, decision, totals } };
}

/**
 * Writes what the decision says: the period's totals (when the record counts or first crosses the
 * quota), an accepted record with `usage.recorded` and the thresholds it reaches, and
 * `usage.quota_exceeded` on the crossing. Answers `accepted`, or `quota_exceeded` when refused.
 */
async function writeRecord(batch: Batch, charged: Charged): Promise<UsageRecordResult> {
  const { ctx } = batch;
  const { input, now, occurredAt, sub, plan, period, decision, totals } = charged;
  if (decision.accepted || decision.crossesQuota) {
    // The transactor serialises writers, so the totals read by checkQuota are still current.
    await saveTotals(ctx.tx).run({ subscriptionId: sub.id, periodStart: period.start, usedTokens: decision.usedTokens, ...totals, updatedAt: now });
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
      meter: 'ai_tokens',
      properties: null,
    };
    await insertRecord(ctx.tx, row);
    batch.aggregates.add({ subscriptionId: sub.id, periodStart: period.start, meter: row.meter, dimensions: dimensionsKey(TOKEN_DIMENSIONS, { model: row.model }), add: row.tokens, latestAt: occurredAt });
    const events = eventsOf(batch, now);
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
      ...(await batch.reachThresholds({
        subscriptionId: sub.id,
        customerId: sub.customerId,
        period,
        usedTokens: decision.usedTokens,
        overageTokens: totals.overageTokens,
        priceAmount: plan.priceAmount,
        overagePricePer1k: plan.overagePricePer1k,
        currency: plan.currency,
        chargesAmount: async () => {
          const charged = await periodUsageCharges(ctx.tx, sub, plan, period, batch.aggregates.pending(sub.id, period.start));
          return charged.legacy ? null : charged.amount;
        },
      }, now)),
    );
    const count = batch.touched.get(sub.id) ?? { records: 0, tokens: 0, at: now };
    batch.touched.set(sub.id, { records: count.records + 1, tokens: count.tokens + input.tokens, at: now });
  }
  if (decision.crossesQuota) {
    eventsOf(batch, now).push({
      type: 'usage.quota_exceeded',
      subject: sub.id,
      data: { subscription_id: sub.id, customer_id: sub.customerId, period_start: toIso(period.start), included_tokens: plan.includedTokens, quota_policy: plan.quotaPolicy },
    });
  }
  return decision.accepted
    ? { id: input.id, status: 'accepted', subscription_id: sub.id, period_start: toIso(period.start), overage_tokens: decision.overageTokens }
    : refused(input, 'quota_exceeded', sub, period.start);
}

/** Emits the batch's events at their times, audits each touched subscription once, and tallies the answers. */
async function closeBatch(batch: Batch, results: UsageRecordResult[]): Promise<{ batch: UsageBatchResource; tokens: number }> {
  const { ctx, wallNow } = batch;
  await batch.aggregates.flush(ctx.tx, wallNow);
  const at = (ms: number) => (ms === wallNow ? ctx : { ...ctx, clock: frozenClock(ms) });
  for (const [ms, events] of batch.eventsAt) await emit(at(ms), events);
  for (const [subscriptionId, { at: ms, ...count }] of batch.touched) {
    await recordAudit(at(ms), { action: 'usage.record', targetType: 'subscription', targetId: subscriptionId, data: count });
  }
  const tally = (status: UsageOutcome) => results.filter((r) => r.status === status).length;
  const tokens = [...batch.touched.values()].reduce((sum, count) => sum + count.tokens, 0);
  return { batch: { object: 'usage_batch', accepted: tally('accepted'), duplicates: tally('duplicate'), conflicts: tally('conflict'), refused: tally('refused'), results }, tokens };
}

import { and, eq, sql } from 'drizzle-orm';
import { prepared, insertMany } from '../../db/prepared.ts';
import { BUILT_IN_METER_CODE, customers, meters, testClocks, usagePeriods, usageRecords, type StoredCharge } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import type { NewEvent } from '../events/catalog.ts';
import { emit } from '../events/outbox.ts';
import { frozenClock, toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { thresholdWatch } from '../usage-thresholds/reach.ts';
import { chargesInForce, periodUsageCharges } from '../pricing/period-usage.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import { isPeriodClosed, usagePeriodAt, type UsagePeriod } from './period.ts';
import { checkUsage, overageWithinLimit, type UsageDecision } from './quota.ts';
import { differingField, type UsageRecordRow } from './repeat.ts';
import { targetOf, type Target } from './target.ts';
import { aggregateSums, dimensionValues } from './aggregates.ts';
import { readRecord, type Reading } from './reading.ts';
import { priceFor } from '../pricing/charges.ts';
import type { MeterRow } from '../meters/present.ts';
import { isUsageEvent, type RefusalReason, type UsageBatchResource, type UsageOutcome, type UsageRecordInput, type UsageRecordResult } from './contract.ts';

// A batch runs these once per customer, once, and once per period it touches: each is built once per connection.
const storedByIds = prepared((db) =>
  db
    .select()
    .from(usageRecords)
    .where(and(eq(usageRecords.customerId, sql.placeholder('customerId')), sql`${usageRecords.clientId} in (select value from json_each(${sql.placeholder('ids')}))`))
    .prepare(),
);
const metersByCodes = prepared((db) => db.select().from(meters).where(sql`${meters.code} in (select value from json_each(${sql.placeholder('codes')}))`).prepare());
const periodTotals = prepared((db) =>
  db.select().from(usagePeriods).where(and(eq(usagePeriods.subscriptionId, sql.placeholder('subscriptionId')), eq(usagePeriods.periodStart, sql.placeholder('periodStart')))).prepare(),
);
const insertRecords = insertMany(usageRecords);
const saveTotals = prepared((db) => {
  const next = { usedTokens: sql.placeholder('usedTokens'), overageTokens: sql.placeholder('overageTokens'), quotaExceeded: sql.placeholder('quotaExceeded'), updatedAt: sql.placeholder('updatedAt') };
  return db
    .insert(usagePeriods)
    .values({ subscriptionId: sql.placeholder('subscriptionId'), periodStart: sql.placeholder('periodStart'), ...next })
    .onConflictDoUpdate({ target: [usagePeriods.subscriptionId, usagePeriods.periodStart], set: next as never })
    .prepare();
});

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

const refused = (input: UsageRecordInput, reason: RefusalReason, sub?: SubscriptionRow, periodStart?: number, message?: string): UsageRecordResult => ({
  id: input.id,
  status: 'refused',
  subscription_id: sub?.id ?? null,
  period_start: periodStart === undefined ? null : toIso(periodStart),
  overage_tokens: 0,
  reason,
  ...(message === undefined ? {} : { message }),
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
 *
 * A record is read by its meter (src/usage/reading.ts: a token record is an `ai_tokens` usage
 * event): a usage event naming no active meter is `unknown_meter`, one without a valid value
 * `invalid_value`, and one whose dimension values the subscription's charges of that meter give
 * no price `unpriced_dimension`. Quotas, overage and thresholds are the `ai_tokens` meter's only.
 * Each accepted record adds to its meter's aggregate row (src/usage/aggregates.ts).
 *
 * The hot path reads per batch, not per record: the stored records under the batch's ids, the
 * meters it names, each customer, target, plan version and charges once; it writes the records
 * in one statement (`insertMany`) and each period's totals and aggregate row once when the batch closes,
 * keeping the totals in memory meanwhile so every quota decision is the one a record at a time
 * would get.
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
  targetFor(input: UsageRecordInput): Promise<Target>;
  chargesOf(sub: SubscriptionRow, plan: PlanVersionRow): Promise<StoredCharge[]>;
  /** The meters the batch names, by code (absent: no such meter). */
  meters: Map<string, MeterRow>;
  /** The records stored under the batch's ids, and those the batch accepts, by customer and id. */
  stored: Map<string, UsageRecordRow>;
  /** The records to insert when the batch closes. */
  accepted: UsageRecordRow[];
  /** Each touched period's token totals, read once and written when the batch closes. */
  totalsOf(subscriptionId: string, periodStart: number): Promise<PeriodTotals>;
  periods: Map<string, PeriodTotals>;
  /** `toIso`, remembered: a batch's records share a few times (their period's start, when they were recorded). */
  isoOf(ms: number): string;
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

/** A period's token totals as the batch has them. */
type PeriodTotals = { subscriptionId: string; periodStart: number; usedTokens: number; overageTokens: number; quotaExceeded: boolean; updatedAt: number; dirty: boolean };

const recordKey = (customerId: string, id: string) => `${customerId}\u0000${id}`;

/** A record placed in time: at `occurredAt`, recorded `now` (its customer's clock), and read by its meter. */
type Dated = { input: UsageRecordInput; now: number; occurredAt: number; reading: Reading };
/** …counted against a subscription, under its plan version's terms. */
type Owned = Dated & { sub: SubscriptionRow; plan: PlanVersionRow };
/** …in one of its open periods. */
type Placed = Owned & { period: UsagePeriod };
/** …with the quota's decision and the period's totals once it counts. */
type Charged = Placed & { decision: UsageDecision; totals: { overageTokens: number; quotaExceeded: boolean } | null };

function recordBatch(ctx: Ctx, records: UsageRecordInput[]): Promise<{ batch: UsageBatchResource; tokens: number }> {
  return withTransaction(ctx, async (ctx) => {
    const batch = await openBatch(ctx, records);
    const results: UsageRecordResult[] = [];
    for (const input of records) results.push(await answerRecord(batch, input));
    return closeBatch(batch, results);
  });
}

/** One record through the steps in order; the first that answers ends it. */
async function answerRecord(batch: Batch, input: UsageRecordInput): Promise<UsageRecordResult> {
  const repeat = answerRepeat(batch, input);
  if (repeat) return repeat;
  const dated = await checkClockWindow(batch, input);
  if ('answer' in dated) return dated.answer;
  const owned = await findSubscription(batch, dated.next);
  if ('answer' in owned) return owned.answer;
  const placed = findOpenPeriod(owned.next);
  if ('answer' in placed) return placed.answer;
  const priced = await checkPrice(batch, placed.next);
  if (priced) return priced;
  const charged = await checkQuota(batch, placed.next);
  if ('answer' in charged) return charged.answer;
  return writeRecord(batch, charged.next);
}

/** The records already stored under these ids, by customer and id: one query per customer for the whole batch (the ids as one JSON array). */
async function storedUnder(ctx: TxCtx, records: UsageRecordInput[]): Promise<Map<string, UsageRecordRow>> {
  const idsOf = new Map<string, Set<string>>();
  for (const r of records) (idsOf.get(r.customer_id) ?? idsOf.set(r.customer_id, new Set()).get(r.customer_id)!).add(r.id);
  const stored = new Map<string, UsageRecordRow>();
  for (const [customerId, ids] of idsOf) {
    const rows = await storedByIds(ctx.tx).all({ customerId, ids: JSON.stringify([...ids]) });
    for (const row of rows) stored.set(recordKey(row.customerId, row.clientId), row);
  }
  return stored;
}

/** The meters a batch names (token records name `ai_tokens`), in one query. */
async function metersNamed(ctx: TxCtx, records: UsageRecordInput[]): Promise<Map<string, MeterRow>> {
  const codes = [...new Set(records.map((r) => (isUsageEvent(r) ? r.meter : BUILT_IN_METER_CODE)))];
  const rows = await metersByCodes(ctx.tx).all({ codes: JSON.stringify(codes) });
  return new Map(rows.map((m) => [m.code, m]));
}

/** Remembers a lookup by key for the batch (an async one as its promise, so it runs once). */
function memo<K, T>(load: (key: K) => T): (key: K) => T {
  const known = new Map<K, T>();
  return (key) => {
    if (!known.has(key)) known.set(key, load(key));
    return known.get(key)!;
  };
}

/** A batch's shared state: what its records already stored and the meters they name, read up front; its memos empty. */
async function openBatch(ctx: TxCtx, records: UsageRecordInput[]): Promise<Batch> {
  const terms = memo((key: string) => {
    const [planId, version, currency] = key.split('@');
    return loadPlanVersion(ctx.tx, planId!, Number(version), currency!);
  });
  const states = memo((customerId: string) => customerState(ctx, customerId));
  // A record's target depends only on its customer and the subscription it names.
  const targets = memo((key: string) => {
    const [customerId, subscriptionId] = key.split('\u0000') as [string, string];
    return targetOf(ctx, { customer_id: customerId, subscription_id: subscriptionId || undefined }, batch.termsOf);
  });
  const charges = new Map<string, Promise<StoredCharge[]>>();
  const periods = new Map<string, PeriodTotals>();
  const batch: Batch = {
    ctx,
    wallNow: ctx.clock.now(),
    // In the subscription's currency: an amount threshold sums its fee and overage in it.
    termsOf: (sub) => terms(`${sub.planId}@${sub.planVersion}@${sub.currency}`),
    customerOf: states,
    targetFor: (input) => targets(`${input.customer_id}\u0000${input.subscription_id ?? ''}`),
    // The charges in force: the version's (its token terms in the subscription's currency) with the negotiated ones in their place.
    chargesOf(sub, plan) {
      let inForce = charges.get(sub.id);
      if (!inForce) charges.set(sub.id, (inForce = chargesInForce(ctx.tx, sub.id, plan).then((inForce) => inForce.charges)));
      return inForce;
    },
    meters: await metersNamed(ctx, records),
    stored: await storedUnder(ctx, records),
    accepted: [],
    async totalsOf(subscriptionId, periodStart) {
      const key = `${subscriptionId}\u0000${periodStart}`;
      let totals = periods.get(key);
      if (!totals) {
        // Records are answered one after another, so no other step reads this period meanwhile.
        const row = await periodTotals(ctx.tx).get({ subscriptionId, periodStart });
        totals = { subscriptionId, periodStart, usedTokens: row?.usedTokens ?? 0, overageTokens: row?.overageTokens ?? 0, quotaExceeded: row?.quotaExceeded ?? false, updatedAt: 0, dirty: false };
        periods.set(key, totals);
      }
      return totals;
    },
    periods,
    isoOf: memo(toIso),
    eventsAt: new Map(),
    touched: new Map(),
    reachThresholds: thresholdWatch(ctx),
    aggregates: aggregateSums(),
  };
  return batch;
}

/**
 * Each record's events are dated when it was recorded: its customer's test clock's time for a
 * sandbox customer, as its `recorded_at` is. One subscription's events share one time, so their order holds.
 */
const eventsOf = (batch: Batch, at: number) => batch.eventsAt.get(at) ?? batch.eventsAt.set(at, []).get(at)!;

/** The id its customer already used: the answer is `duplicate` or `conflict`, and nothing changes. Null for a new id. */
function answerRepeat(batch: Batch, input: UsageRecordInput): UsageRecordResult | null {
  const stored = batch.stored.get(recordKey(input.customer_id, input.id));
  return stored ? repeated(stored, input) : null;
}

/**
 * An erased customer takes no usage; a record dated further ahead of its customer's clock than the
 * skew allows is `in_future`; one its meter cannot read is `unknown_meter` or `invalid_value`.
 */
async function checkClockWindow(batch: Batch, input: UsageRecordInput): Promise<Step<Dated>> {
  const state = await batch.customerOf(input.customer_id);
  if (state.erased) return answer(refused(input, 'customer_erased'));
  // A sandbox customer's records are checked against (and recorded at) its test clock's time.
  const now = state.testClockTime ?? batch.wallNow;
  const occurredAt = Date.parse(isUsageEvent(input) ? input.timestamp : input.occurred_at);
  if (occurredAt > now + batch.ctx.settings.usage.clockSkewMs) return answer(refused(input, 'in_future'));
  const reading = readRecord(input, batch.meters);
  if ('reason' in reading) return answer(refused(input, reading.reason, undefined, undefined, reading.message));
  return { next: { input, now, occurredAt, reading } };
}

/** The live subscription the record counts against (`targetOf`) and its plan version's terms. */
async function findSubscription(batch: Batch, dated: Dated): Promise<Step<Owned>> {
  const target = await batch.targetFor(dated.input);
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

/** Dimension values the subscription's charge of the meter gives no price (and it has no default) are `unpriced_dimension`. */
async function checkPrice(batch: Batch, placed: Placed): Promise<UsageRecordResult | null> {
  const { input, sub, plan, period, reading } = placed;
  const charge = (await batch.chargesOf(sub, plan)).find((c) => c.meter === reading.meter.code);
  if (!charge) return null;
  const dimensions = dimensionValues(reading.meter.groupBy, reading.properties);
  if (priceFor(charge, dimensions) !== null) return null;
  return refused(input, 'unpriced_dimension', sub, period.start, `the ${reading.meter.code} charge has no price for ${JSON.stringify(dimensions)} and no default price`);
}

/**
 * The plan's quota over the period's totals so far (`checkUsage`), and the bound on the period's
 * overage charge: one past what an invoice can carry is `charge_limit`. A record over a `block`
 * quota goes on (its crossing is written) and is answered `quota_exceeded` by `writeRecord`.
 */
async function checkQuota(batch: Batch, placed: Placed): Promise<Step<Charged>> {
  const { input, sub, plan, period, reading } = placed;
  // Other meters have no quota here: their usage is counted, never blocked nor charged as overage.
  if (reading.meter.code !== BUILT_IN_METER_CODE) {
    return { next: { ...placed, decision: { accepted: true, crossesQuota: false, overageTokens: 0, usedTokens: 0 } , totals: null } };
  }
  const stored = await batch.totalsOf(sub.id, period.start);
  const decision = checkUsage({
    includedTokens: plan.includedTokens,
    usedTokens: stored.usedTokens,
    recordTokens: reading.value,
    policy: plan.quotaPolicy,
    quotaExceeded: stored.quotaExceeded,
  });
  const totals = { overageTokens: stored.overageTokens + decision.overageTokens, quotaExceeded: stored.quotaExceeded || decision.crossesQuota };
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
 * The record, totals and aggregates are kept for the batch's close, which writes them.
 */
async function writeRecord(batch: Batch, charged: Charged): Promise<UsageRecordResult> {
  const { input, now, occurredAt, sub, plan, period, decision, totals, reading } = charged;
  const tokenMeter = reading.meter.code === BUILT_IN_METER_CODE;
  if (totals && (decision.accepted || decision.crossesQuota)) {
    // The transactor serialises writers, so the totals the batch read are still current; it keeps them current in memory.
    Object.assign(await batch.totalsOf(sub.id, period.start), { usedTokens: decision.usedTokens, ...totals, updatedAt: now, dirty: true });
  }
  if (decision.accepted) {
    const row: UsageRecordRow = {
      customerId: sub.customerId,
      clientId: input.id,
      subscriptionId: sub.id,
      model: reading.model,
      tokens: reading.value,
      occurredAt,
      periodStart: period.start,
      overageTokens: decision.overageTokens,
      recordedAt: now,
      meter: reading.meter.code,
      properties: reading.stored,
    };
    batch.accepted.push(row);
    batch.stored.set(recordKey(input.customer_id, input.id), row);
    batch.aggregates.add({
      subscriptionId: sub.id,
      periodStart: period.start,
      meter: row.meter,
      aggregation: reading.meter.aggregation,
      dimensions: reading.dimensions,
      add: reading.value,
      latestAt: occurredAt,
      ...(reading.unique === undefined ? {} : { unique: reading.unique }),
    });
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
        ...(isUsageEvent(input) ? { meter: input.meter, properties: input.properties } : input.token_type ? { token_type: input.token_type } : {}),
        occurred_at: batch.isoOf(occurredAt),
        period_start: batch.isoOf(period.start),
        overage_tokens: row.overageTokens,
        recorded_at: batch.isoOf(now),
      },
    });
    // Any meter's usage can move an amount threshold of a subscription priced by charges; a token threshold moves with tokens only.
    const tokens = tokenMeter ? { usedTokens: decision.usedTokens, overageTokens: totals!.overageTokens } : await batch.totalsOf(sub.id, period.start);
    events.push(
      ...(await batch.reachThresholds({
        subscriptionId: sub.id,
        customerId: sub.customerId,
        period,
        usedTokens: tokens.usedTokens,
        overageTokens: tokens.overageTokens,
        priceAmount: plan.priceAmount,
        overagePricePer1k: plan.overagePricePer1k,
        currency: plan.currency,
        chargesAmount: async () => {
          const charged = await periodUsageCharges(batch.ctx.tx, sub, plan, period, batch.aggregates.pending(sub.id, period.start));
          return charged.legacy ? null : charged.amount;
        },
      }, now)),
    );
    const count = batch.touched.get(sub.id) ?? { records: 0, tokens: 0, at: now };
    batch.touched.set(sub.id, { records: count.records + 1, tokens: count.tokens + (tokenMeter ? row.tokens : 0), at: now });
  }
  if (decision.crossesQuota) {
    eventsOf(batch, now).push({
      type: 'usage.quota_exceeded',
      subject: sub.id,
      data: { subscription_id: sub.id, customer_id: sub.customerId, period_start: batch.isoOf(period.start), included_tokens: plan.includedTokens, quota_policy: plan.quotaPolicy },
    });
  }
  return decision.accepted
    ? { id: input.id, status: 'accepted', subscription_id: sub.id, period_start: batch.isoOf(period.start), overage_tokens: decision.overageTokens }
    : refused(input, 'quota_exceeded', sub, period.start);
}

/** Writes what the batch kept: its records (one statement), each touched period's totals once, and its aggregate rows once. */
async function writeBatch(batch: Batch): Promise<void> {
  const { ctx } = batch;
  await insertRecords(ctx.tx, batch.accepted);
  for (const totals of batch.periods.values()) {
    if (!totals.dirty) continue;
    const { subscriptionId, periodStart, usedTokens, overageTokens, quotaExceeded, updatedAt } = totals;
    await saveTotals(ctx.tx).run({ subscriptionId, periodStart, usedTokens, overageTokens, quotaExceeded, updatedAt });
  }
  await batch.aggregates.flush(ctx.tx, batch.wallNow);
}

/** Emits the batch's events at their times, audits each touched subscription once, and tallies the answers. */
async function closeBatch(batch: Batch, results: UsageRecordResult[]): Promise<{ batch: UsageBatchResource; tokens: number }> {
  const { ctx, wallNow } = batch;
  await writeBatch(batch);
  const at = (ms: number) => (ms === wallNow ? ctx : { ...ctx, clock: frozenClock(ms) });
  for (const [ms, events] of batch.eventsAt) await emit(at(ms), events);
  for (const [subscriptionId, { at: ms, ...count }] of batch.touched) {
    await recordAudit(at(ms), { action: 'usage.record', targetType: 'subscription', targetId: subscriptionId, data: count });
  }
  const tally = (status: UsageOutcome) => results.filter((r) => r.status === status).length;
  const tokens = [...batch.touched.values()].reduce((sum, count) => sum + count.tokens, 0);
  return { batch: { object: 'usage_batch', accepted: tally('accepted'), duplicates: tally('duplicate'), conflicts: tally('conflict'), refused: tally('refused'), results }, tokens };
}

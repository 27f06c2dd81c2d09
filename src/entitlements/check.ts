import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { featureConsumptions, featureUsage, usageRecords } from '../../db/schema/index.ts';
import { onCustomerClock } from '../customers/clock.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { validationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import { AI_TOKENS } from '../plans/entitlements.ts';
import { recordUsage } from '../usage/record.ts';
import type { CheckInput, CheckRefusal, CheckResource } from './contract.ts';
import { decide, meterOf, remainingOf, type EffectiveEntitlement, type Meter } from './decide.ts';
import { currentSubscription, loadEntitlements, periodAt, usedBy } from './load.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import type { UsagePeriod } from '../usage/period.ts';

/** What a check found before deciding: the subscription, its entitlement of the feature, and for metered ones the period and its use. */
interface Found {
  sub: SubscriptionRow;
  plan: PlanVersionRow;
  entitlement: EffectiveEntitlement;
  period: UsagePeriod | null;
  meter: Meter | null;
}

const refusal = (feature: string, reason: CheckRefusal, found?: Found): CheckResource => ({
  object: 'entitlement_check',
  allowed: false,
  feature,
  type: found?.entitlement.type ?? null,
  reason,
  ...(found ? { subscription_id: found.sub.id, ...meterFields(found) } : {}),
});

/** The metered fields of an answer: limit, use, what remains and the period. */
function meterFields({ meter, period }: Pick<Found, 'meter' | 'period'>) {
  if (!meter || !period) return {};
  return { limit: meter.limit, used: meter.used, remaining: remainingOf(meter), period_start: toIso(period.start), period_end: toIso(period.end) };
}

/** The customer's current subscription and its entitlement of the feature, or why there is none. */
async function find(db: Executor, input: CheckInput, now: number): Promise<Found | CheckRefusal> {
  const sub = await currentSubscription(db, input.customer_id);
  if (!sub) return 'no_subscription';
  const { plan, entitlements } = await loadEntitlements(db, sub);
  const entitlement = entitlements.find((e) => e.feature === input.feature);
  if (!entitlement) return 'not_entitled';
  if (entitlement.type !== 'metered') return { sub, plan, entitlement, period: null, meter: null };
  const period = periodAt(sub, plan, now);
  const used = period ? await usedBy(db, sub.id, entitlement, period.start) : 0;
  return { sub, plan, entitlement, period, meter: meterOf(entitlement, plan, used) };
}

const allowed = (input: CheckInput, found: Found): CheckResource => ({
  object: 'entitlement_check',
  allowed: true,
  feature: input.feature,
  type: found.entitlement.type,
  subscription_id: found.sub.id,
  ...(found.entitlement.value !== undefined ? { value: found.entitlement.value } : {}),
  ...meterFields(found),
});

/**
 * Whether the customer's current subscription (its newest that is not canceled) is
 * entitled to `feature`: boolean ones unless withdrawn, static ones with their value,
 * metered ones while the period's use plus the amount (`consume`, else 1) stays within
 * the limit. A refusal is an answer, not an error: `no_subscription`, `not_entitled`,
 * `limit_reached`.
 *
 * With `consume` the check and the record are one write transaction: the single writer
 * serialises concurrent checks, so each sees the use of those before it and N checks for
 * the last unit let exactly one through. AI tokens are recorded through `recordUsage`
 * (quotas, overage and `usage.recorded` as for POST /v1/usage); other features count in
 * `feature_usage` and emit `feature.consumed`. An entitlement naming a meter counts that
 * meter's usage this period (`usage_aggregates`, narrowed to its dimensions) plus what checks
 * consumed in `feature_usage`: both are read in the consume's transaction, so the limit holds
 * over their sum as it does for a counter alone. The record id (`record_id`, else the
 * Idempotency-Key, else a new one) makes a retried consume count once: it answers
 * allowed with `duplicate: true` and consumes nothing more.
 */
export async function checkEntitlement(outer: Ctx, input: CheckInput, idempotencyKey?: string): Promise<CheckResource> {
  // A sandbox customer's periods run on its test clock (src/customers/clock.ts).
  const ctx = await onCustomerClock(outer, input.customer_id);
  if (input.consume === undefined) return checkOnly(ctx.tx ?? ctx.db, input, ctx.clock.now());
  return withTransaction(ctx, (ctx) => consume(ctx, input, input.consume!, idempotencyKey));
}

async function checkOnly(db: Executor, input: CheckInput, now: number): Promise<CheckResource> {
  const found = await find(db, input, now);
  if (typeof found === 'string') return refusal(input.feature, found);
  const decision = decide(found.entitlement, found.meter, 1);
  return decision.allowed ? allowed(input, found) : refusal(input.feature, decision.reason, found);
}

/** Whether this record id was already counted for the customer. */
async function counted(ctx: TxCtx, customerId: string, feature: string, recordId: string): Promise<boolean> {
  const [row] =
    feature === AI_TOKENS
      ? await ctx.tx.select({ id: usageRecords.clientId }).from(usageRecords).where(and(eq(usageRecords.customerId, customerId), eq(usageRecords.clientId, recordId)))
      : await ctx.tx.select({ id: featureConsumptions.clientId }).from(featureConsumptions).where(and(eq(featureConsumptions.customerId, customerId), eq(featureConsumptions.clientId, recordId)));
  return row !== undefined;
}

async function consume(ctx: TxCtx, input: CheckInput, amount: number, idempotencyKey: string | undefined): Promise<CheckResource> {
  const now = ctx.clock.now();
  const found = await find(ctx.tx, input, now);
  if (typeof found === 'string') return refusal(input.feature, found);
  if (found.entitlement.type !== 'metered' || !found.meter) {
    throw validationError([{ field: 'consume', message: `is only for metered entitlements; ${input.feature} is ${found.entitlement.type}` }]);
  }
  if (!found.period) return refusal(input.feature, 'no_subscription', found);
  // An Idempotency-Key longer than a record id could be is replayed by the idempotency layer alone.
  const recordId = input.record_id ?? (idempotencyKey && idempotencyKey.length <= 128 ? idempotencyKey : newId('chk', now));
  const answer = (consumed: number, extra: Partial<CheckResource> = {}): CheckResource => ({ ...allowed(input, found), consumed, record_id: recordId, ...extra });

  if (await counted(ctx, input.customer_id, input.feature, recordId)) return answer(0, { duplicate: true });
  const decision = decide(found.entitlement, found.meter, amount);
  if (!decision.allowed) return { ...refusal(input.feature, decision.reason, found), consumed: 0, record_id: recordId };

  const { sub, period } = found;
  if (input.feature === AI_TOKENS) {
    const batch = await recordUsage(ctx, [{ id: recordId, customer_id: sub.customerId, subscription_id: sub.id, model: input.model ?? 'unspecified', tokens: amount, occurred_at: toIso(now) }]);
    const result = batch.results[0]!;
    if (result.status === 'refused') {
      return { ...refusal(input.feature, result.reason === 'quota_exceeded' ? 'limit_reached' : 'not_entitled', found), consumed: 0, record_id: recordId };
    }
  } else {
    const used = found.meter.used + amount;
    await ctx.tx
      .insert(featureUsage)
      .values({ subscriptionId: sub.id, feature: input.feature, periodStart: period.start, used: amount, updatedAt: now })
      .onConflictDoUpdate({ target: [featureUsage.subscriptionId, featureUsage.feature, featureUsage.periodStart], set: { used: sql`${featureUsage.used} + ${amount}`, updatedAt: now } });
    await ctx.tx.insert(featureConsumptions).values({ customerId: sub.customerId, clientId: recordId, subscriptionId: sub.id, feature: input.feature, amount, periodStart: period.start, consumedAt: now });
    await emit(ctx, [
      {
        type: 'feature.consumed',
        subject: sub.id,
        data: { subscription_id: sub.id, customer_id: sub.customerId, feature: input.feature, record_id: recordId, amount, used, limit: found.meter.limit, period_start: toIso(period.start) },
      },
    ]);
  }
  found.meter = { ...found.meter, used: found.meter.used + amount };
  return answer(amount);
}

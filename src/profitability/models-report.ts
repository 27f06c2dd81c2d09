import { and, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { subscriptions, usageAggregates } from '../../db/schema/index.ts';
import { divideHalfUp } from '../kernel/money.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { chargesInForce } from '../pricing/period-usage.ts';
import { priceMeterCharge, type UsageGroup } from '../pricing/charges.ts';
import type { PricedUsage } from './margins.ts';
import { revenueByModel } from './model-revenue.ts';

const TOKENS = 'ai_tokens';
const NANOS_PER_MINOR = 1_000_000_000n;

/** One model's figures in one currency. */
export interface ModelFigures {
  model: string;
  tokens: number;
  revenue: number;
  token_cost: number;
  margin: number;
}

/**
 * Revenue per model from the priced `ai_tokens` charges of the subscription periods that start in
 * [from, to) (the same rule as invoice lines: the month of the period), each priced over the
 * period's aggregates with the subscription's charges in force (src/usage/meters-so-far.ts prices
 * the same way) and attributed to models by `revenueByModel`; trial periods bring nothing. Cost per
 * model: the window's usage records at the model's price in force then, kept exact and rounded once
 * per model and currency. Ranked by margin, highest first.
 */
export async function modelFigures(db: Executor, from: number, to: number, usage: readonly PricedUsage[]): Promise<Map<string, ModelFigures[]>> {
  const rows = await db
    .select({ subscriptionId: usageAggregates.subscriptionId, periodStart: usageAggregates.periodStart, dimensions: usageAggregates.dimensions, quantity: usageAggregates.quantity })
    .from(usageAggregates)
    .where(and(eq(usageAggregates.meter, TOKENS), gte(usageAggregates.periodStart, from), lt(usageAggregates.periodStart, to)));
  const periods = new Map<string, { subscriptionId: string; periodStart: number; groups: UsageGroup[] }>();
  for (const r of rows) {
    const key = `${r.subscriptionId}|${r.periodStart}`;
    const period = periods.get(key) ?? { subscriptionId: r.subscriptionId, periodStart: r.periodStart, groups: [] };
    period.groups.push({ dimensions: JSON.parse(r.dimensions) as Record<string, string>, quantity: r.quantity });
    periods.set(key, period);
  }
  const ids = [...new Set([...periods.values()].map((p) => p.subscriptionId))];
  const subs = new Map(ids.length === 0 ? [] : (await db.select().from(subscriptions).where(inArray(subscriptions.id, ids))).map((s) => [s.id, s]));

  const cells = new Map<string, { currency: string; model: string; tokens: number; revenue: number; nanos: bigint }>();
  const cell = (currency: string, model: string) => {
    const key = `${currency}|${model}`;
    const c = cells.get(key) ?? { currency, model, tokens: 0, revenue: 0, nanos: 0n };
    cells.set(key, c);
    return c;
  };
  const charges = new Map<string, Awaited<ReturnType<typeof chargesOf>>>();
  for (const period of periods.values()) {
    const sub = subs.get(period.subscriptionId);
    if (!sub || period.periodStart < sub.anchor) continue; // the trial is never billed
    const cached = charges.get(sub.id) ?? (await chargesOf(db, sub));
    charges.set(sub.id, cached);
    const charge = cached.charges.find((c) => c.meter === TOKENS);
    if (!charge) continue;
    for (const [model, amount] of revenueByModel(charge, period.groups, priceMeterCharge(charge, period.groups))) cell(cached.currency, model).revenue += amount;
  }
  for (const record of usage) {
    const c = cell(record.currency, record.model);
    c.tokens += record.tokens;
    if (record.costPer1kMicros !== null) c.nanos += BigInt(record.tokens) * BigInt(record.costPer1kMicros);
  }
  const out = new Map<string, ModelFigures[]>();
  for (const c of cells.values()) {
    const cost = Number(divideHalfUp(c.nanos, NANOS_PER_MINOR));
    out.set(c.currency, [...(out.get(c.currency) ?? []), { model: c.model, tokens: c.tokens, revenue: c.revenue, token_cost: cost, margin: c.revenue - cost }]);
  }
  for (const list of out.values()) list.sort((a, b) => b.margin - a.margin || (a.model < b.model ? -1 : 1));
  return out;
}

/** A subscription's charges in force and the currency they are in. */
async function chargesOf(db: Executor, sub: { id: string; planId: string; planVersion: number; currency: string | null }) {
  const version = await loadPlanVersion(db, sub.planId, sub.planVersion, sub.currency);
  const { charges } = await chargesInForce(db, sub.id, version);
  return { currency: version.currency, charges };
}

import { inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { meters, type MeterAggregation, type StoredCharge, type StoredPrice } from '../../db/schema/index.ts';
import { priceMeterCharge, type UsageGroup } from '../pricing/charges.ts';
import { periodAggregates } from '../pricing/period-usage.ts';
import type { UsageMeterResource } from './contract.ts';

interface AggregateRow {
  meter: string;
  dimensions: string;
  quantity: number;
  latestAt: number;
}

// What a meter aggregates never changes and a code never names another meter, so each is read once per connection.
const knownAggregations = new WeakMap<Executor, Map<string, MeterAggregation>>();

/** The aggregation of each of these meters (`sum` for a code no meter has). */
async function aggregationsOf(db: Executor, codes: readonly string[]): Promise<Map<string, MeterAggregation>> {
  let known = knownAggregations.get(db);
  if (!known) knownAggregations.set(db, (known = new Map()));
  const missing = codes.filter((code) => !known.has(code));
  if (missing.length > 0) {
    for (const m of await db.select({ code: meters.code, aggregation: meters.aggregation }).from(meters).where(inArray(meters.code, missing))) known.set(m.code, m.aggregation);
  }
  return known;
}

/** The price fields a line shows: those of the price that covered it (the unit price, the tiers, or the package). */
function shownPrice(price: StoredPrice): Pick<StoredPrice, 'unit_price' | 'tiers' | 'package_size' | 'package_price'> {
  const shown: Pick<StoredPrice, 'unit_price' | 'tiers' | 'package_size' | 'package_price'> = {};
  if (price.unit_price !== undefined) shown.unit_price = price.unit_price;
  if (price.tiers !== undefined) shown.tiers = price.tiers;
  if (price.package_size !== undefined) shown.package_size = price.package_size;
  if (price.package_price !== undefined) shown.package_price = price.package_price;
  return shown;
}

/**
 * A meter's total over its groups: the sum for `sum`, `count` and `unique_count` (distinct per group,
 * as the charges price them), the largest for `max`, the most recent for `latest`.
 */
function total(aggregation: MeterAggregation, rows: readonly AggregateRow[]): number {
  if (rows.length === 0) return 0;
  if (aggregation === 'max') return Math.max(...rows.map((r) => r.quantity));
  if (aggregation === 'latest') return rows.reduce((a, b) => (b.latestAt > a.latestAt ? b : a)).quantity;
  return rows.reduce((sum, r) => sum + r.quantity, 0);
}

/** One charge priced over its meter's groups, as the usage read shows it; amounts 0 in a trial. */
function pricedCharge(charge: StoredCharge, groups: UsageGroup[], trial: boolean): NonNullable<UsageMeterResource['charge']> {
  const priced = priceMeterCharge(charge, groups);
  const free = (n: number) => (trial ? 0 : n);
  return {
    model: charge.model,
    lines: priced.lines.map((line) => {
      const price = line.dimensions === null ? charge : (charge.prices ?? []).find((p) => JSON.stringify(p.dimensions) === JSON.stringify(line.dimensions))!;
      return { dimensions: line.dimensions, quantity: line.quantity, amount: free(line.amount), ...shownPrice(price) };
    }),
    subtotal: free(priced.subtotal),
    adjustment: free(priced.adjustment),
    amount: free(priced.amount),
  };
}

/**
 * The usage of one period per meter, priced as it stands: every charge in force whose meter has usage
 * this period or that comes to an amount anyway (a `min_amount`), in the charges' order, then every
 * other meter with usage (`charge: null`), by code. A period without usage lists none. Read from the
 * period's aggregate rows only (src/usage/aggregates.ts), so its cost does not grow with the
 * number of usage records.
 */
export async function metersSoFar(db: Executor, subscriptionId: string, periodStart: number, charges: readonly StoredCharge[], trial: boolean): Promise<{ meters: UsageMeterResource[]; amount: number }> {
  const rows: AggregateRow[] = await periodAggregates(db).all({ subscriptionId, periodStart });
  const byMeter = new Map<string, AggregateRow[]>();
  for (const row of rows) {
    const list = byMeter.get(row.meter);
    if (list) list.push(row);
    else byMeter.set(row.meter, [row]);
  }
  const aggregations = await aggregationsOf(db, [...byMeter.keys()]);
  const charged = new Set(charges.map((c) => c.meter));
  const uncharged = [...byMeter.keys()].filter((m) => !charged.has(m)).sort();
  const out: UsageMeterResource[] = [];
  let amount = 0;
  const show = (meter: string, charge: StoredCharge | null) => {
    const list = byMeter.get(meter) ?? [];
    const groups: UsageGroup[] = list.map((r) => ({ dimensions: JSON.parse(r.dimensions) as Record<string, string>, quantity: r.quantity }));
    const priced = charge ? pricedCharge(charge, groups, trial) : null;
    if (list.length === 0 && !priced?.amount) return;
    amount += priced?.amount ?? 0;
    out.push({ meter, quantity: total(aggregations.get(meter) ?? 'sum', list), groups, charge: priced });
  };
  for (const charge of charges) show(charge.meter, charge);
  for (const meter of uncharged) show(meter, null);
  return { meters: out, amount };
}

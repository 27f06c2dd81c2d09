import { divideHalfUp } from '../kernel/money.ts';

/**
 * Profitability as plain data: revenue lines and usage records in, margins out. No I/O.
 *
 * Token cost of a record = tokens × cost_per_1k_micros / 1,000 / 1,000,000 minor units,
 * kept exact (BigInt, in billionths of a minor unit) and rounded half-up ONCE per cell:
 * one customer, plan and month. Customer, plan and month totals are sums of the rounded
 * cells, so every figure adds up to the minor unit. (Per record, two 0.5-unit records would
 * cost 2; per cell they cost 1: the cell is what the customer used that month.)
 */
const NANOS_PER_MINOR = 1_000_000_000n;

export interface RevenueLine {
  currency: string;
  customerId: string;
  planId: string | null;
  subscriptionId: string | null;
  kind: string;
  amount: number;
  periodStart: number;
}

export interface PricedUsage {
  currency: string;
  customerId: string;
  planId: string;
  subscriptionId: string;
  model: string;
  tokens: number;
  occurredAt: number;
  /** Start of the subscription period the record counted in. */
  periodStart: number;
  /** The micros per 1,000 tokens in force at the record's `occurred_at`; null when the model has none. */
  costPer1kMicros: number | null;
}

export interface PlanFacts {
  id: string;
  code: string;
  name: string;
  /** The current version's price when it is in the report's currency, else null (no flag). */
  priceAmount: number | null;
}

export interface Figures {
  revenue: number;
  token_cost: number;
  margin: number;
}

/** `YYYY-MM` of a UTC time. */
export const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

const figures = (revenue: number, cost: number): Figures => ({ revenue, token_cost: cost, margin: revenue - cost });
const byMarginThenId = <T extends Figures>(key: (item: T) => string) => (a: T, b: T) => b.margin - a.margin || (key(a) < key(b) ? -1 : 1);

interface Cell {
  currency: string;
  customerId: string;
  planId: string;
  month: string;
  revenue: number;
  nanos: bigint;
  overage: number;
}

/** The report of one currency, from the rounded cells. */
function currencyReport(currency: string, cells: Cell[], periods: Map<string, Set<string>>, plans: Map<string, PlanFacts>, customerNames: Map<string, string | null>, unpriced: Map<string, number>) {
  const cost = (c: Cell) => Number(divideHalfUp(c.nanos, NANOS_PER_MINOR));
  const group = <K extends string>(keyOf: (c: Cell) => K, list: Cell[] = cells) => {
    const out = new Map<K, { revenue: number; cost: number; overage: number; cells: Cell[] }>();
    for (const c of list) {
      const g = out.get(keyOf(c)) ?? { revenue: 0, cost: 0, overage: 0, cells: [] };
      g.revenue += c.revenue;
      g.cost += cost(c);
      g.overage += c.overage;
      g.cells.push(c);
      out.set(keyOf(c), g);
    }
    return out;
  };
  const monthsOf = (list: Cell[]) =>
    [...group((c) => c.month, list)].map(([month, g]) => ({ month, ...figures(g.revenue, g.cost) })).sort((a, b) => (a.month < b.month ? -1 : 1));

  const total = cells.reduce((s, c) => ({ revenue: s.revenue + c.revenue, cost: s.cost + cost(c) }), { revenue: 0, cost: 0 });
  const customers = [...group((c) => c.customerId)]
    .map(([id, g]) => ({ customer_id: id, name: customerNames.get(id) ?? null, ...figures(g.revenue, g.cost), months: monthsOf(g.cells) }))
    .sort(byMarginThenId((c) => c.customer_id));
  const planList = [...group((c) => c.planId)]
    .map(([id, g]) => {
      const facts = plans.get(id);
      const n = periods.get(id)?.size ?? 0;
      const price = facts?.priceAmount ?? null;
      // Under cost: average token cost per subscription-period > price + average overage revenue per period,
      // compared exactly as cost > price × periods + overage (no rounding decides a flag).
      const underCost = price !== null && n > 0 && g.cost > price * n + g.overage;
      return {
        plan_id: id,
        code: facts?.code ?? null,
        name: facts?.name ?? null,
        ...figures(g.revenue, g.cost),
        subscription_periods: n,
        price_amount: price,
        average_token_cost_per_period: n > 0 ? Number(divideHalfUp(BigInt(g.cost), BigInt(n))) : null,
        average_overage_revenue_per_period: n > 0 ? Number(divideHalfUp(BigInt(g.overage), BigInt(n))) : null,
        under_cost: underCost,
        months: monthsOf(g.cells),
      };
    })
    .sort(byMarginThenId((p) => p.plan_id));
  return {
    currency,
    ...figures(total.revenue, total.cost),
    months: monthsOf(cells),
    customers,
    plans: planList,
    flagged_plans: planList.filter((p) => p.under_cost).map((p) => p.plan_id),
    unpriced_models: [...unpriced].map(([model, tokens]) => ({ model, tokens })).sort((a, b) => (a.model < b.model ? -1 : 1)),
  };
}

export type CurrencyMargins = ReturnType<typeof currencyReport>;

/** Margins per currency (no conversion), each with customers and plans ranked by margin, highest first. */
export function computeMargins(input: { lines: RevenueLine[]; usage: PricedUsage[]; plans: Map<string, PlanFacts & { prices?: ReadonlyMap<string, number> }>; customerNames: Map<string, string | null> }): CurrencyMargins[] {
  const cells = new Map<string, Cell>();
  const periods = new Map<string, Map<string, Set<string>>>();
  const unpriced = new Map<string, Map<string, number>>();
  const cellOf = (currency: string, customerId: string, planId: string, month: string) => {
    const key = `${currency}|${customerId}|${planId}|${month}`;
    const cell = cells.get(key) ?? { currency, customerId, planId, month, revenue: 0, nanos: 0n, overage: 0 };
    cells.set(key, cell);
    return cell;
  };
  const countPeriod = (currency: string, planId: string, subscriptionId: string, start: number) => {
    const byPlan = periods.get(currency) ?? new Map<string, Set<string>>();
    periods.set(currency, byPlan);
    const set = byPlan.get(planId) ?? new Set<string>();
    byPlan.set(planId, set);
    set.add(`${subscriptionId}|${start}`);
  };

  for (const line of input.lines) {
    const planId = line.planId ?? '(none)';
    const cell = cellOf(line.currency, line.customerId, planId, monthOf(line.periodStart));
    cell.revenue += line.amount;
    if (line.kind === 'usage_overage') cell.overage += line.amount;
    if (line.kind === 'subscription_fee' && line.subscriptionId) countPeriod(line.currency, planId, line.subscriptionId, line.periodStart);
  }
  for (const record of input.usage) {
    const cell = cellOf(record.currency, record.customerId, record.planId, monthOf(record.occurredAt));
    if (record.costPer1kMicros === null) {
      const models = unpriced.get(record.currency) ?? new Map<string, number>();
      unpriced.set(record.currency, models);
      models.set(record.model, (models.get(record.model) ?? 0) + record.tokens);
    } else {
      cell.nanos += BigInt(record.tokens) * BigInt(record.costPer1kMicros);
    }
    countPeriod(record.currency, record.planId, record.subscriptionId, record.periodStart);
  }

  const currencies = [...new Set([...cells.values()].map((c) => c.currency))].sort();
  return currencies.map((currency) => {
    // The current version's price in this currency (its default, or one of its `prices`); none, no flag.
    const plans = new Map([...input.plans].map(([id, p]) => [id, { ...p, priceAmount: p.prices?.get(currency) ?? null }]));
    return currencyReport(currency, [...cells.values()].filter((c) => c.currency === currency), periods.get(currency) ?? new Map(), plans, input.customerNames, unpriced.get(currency) ?? new Map());
  });
}

import { and, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers, invoiceLines, invoices, modelPrices, planPrices, plans, planVersions, subscriptions, usageRecords } from '../../db/schema/index.ts';
import { filterBy } from '../../db/paging.ts';
import { computeMargins, type PricedUsage } from './margins.ts';
import { modelFigures } from './models-report.ts';
import { addMonths, type ProfitabilityQuery } from './report-contract.ts';

/** Finalized and not voided: the invoices whose lines are revenue. */
export const REVENUE_STATUSES = ['open', 'paid', 'uncollectible'] as const;

const monthStart = (month: string) => Date.parse(`${month}-01T00:00:00.000Z`);
const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Date.UTC(y, m, 1);
};

/** The price version in force at `at`: the latest `effective_from` not after it, the later version on a tie. */
function priceAt(book: Map<string, { effectiveFrom: number; version: number; micros: number }[]>, currency: string, model: string, at: number): number | null {
  const versions = book.get(`${currency}|${model}`);
  if (!versions) return null;
  let best: { effectiveFrom: number; version: number; micros: number } | null = null;
  for (const v of versions) {
    if (v.effectiveFrom > at) continue;
    if (!best || v.effectiveFrom > best.effectiveFrom || (v.effectiveFrom === best.effectiveFrom && v.version > best.version)) best = v;
  }
  return best?.micros ?? null;
}

/**
 * GET /v1/reports/profitability: margins per currency over `months` whole UTC months from `from`.
 * Revenue: every line of finalized invoices (open, paid, uncollectible; void ones excluded),
 * before tax, in the month of the line's `period_start`. Token cost: usage records by the
 * month of `occurred_at`, each at the model's price in the subscription's currency in force then.
 */
export async function getProfitability(db: Executor, query: ProfitabilityQuery, now: number) {
  const last = addMonths(query.from, query.months - 1);
  const from = monthStart(query.from);
  const to = nextMonth(last);

  const lineRows = await db
    .select({ amount: invoiceLines.amount, kind: invoiceLines.kind, periodStart: invoiceLines.periodStart, currency: invoices.currency, customerId: invoices.customerId, subscriptionId: invoices.subscriptionId, planId: subscriptions.planId })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .leftJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
    .where(and(inArray(invoices.status, [...REVENUE_STATUSES]), gte(invoiceLines.periodStart, from), lt(invoiceLines.periodStart, to), filterBy(invoices.currency, query.currency)));

  const usageRows = await db
    .select({ customerId: usageRecords.customerId, subscriptionId: usageRecords.subscriptionId, model: usageRecords.model, tokens: usageRecords.tokens, occurredAt: usageRecords.occurredAt, periodStart: usageRecords.periodStart, planId: subscriptions.planId, currency: planVersions.currency })
    .from(usageRecords)
    .innerJoin(subscriptions, eq(subscriptions.id, usageRecords.subscriptionId))
    .innerJoin(planVersions, and(eq(planVersions.planId, subscriptions.planId), eq(planVersions.version, subscriptions.planVersion)))
    .where(and(gte(usageRecords.occurredAt, from), lt(usageRecords.occurredAt, to), filterBy(planVersions.currency, query.currency)));

  const priceRows = await db.select().from(modelPrices).where(and(lt(modelPrices.effectiveFrom, to), filterBy(modelPrices.currency, query.currency)));
  const book = new Map<string, { effectiveFrom: number; version: number; micros: number }[]>();
  for (const p of priceRows) {
    const key = `${p.currency}|${p.model}`;
    book.set(key, [...(book.get(key) ?? []), { effectiveFrom: p.effectiveFrom, version: p.version, micros: p.costPer1kMicros }]);
  }
  const usage: PricedUsage[] = usageRows.map((r) => ({ ...r, costPer1kMicros: priceAt(book, r.currency, r.model, r.occurredAt) }));

  const planIds = [...new Set([...lineRows.map((l) => l.planId), ...usageRows.map((u) => u.planId)].filter((id): id is string => id !== null))];
  const planRows = planIds.length === 0 ? [] : await db.select({ plan: plans, version: planVersions }).from(plans).innerJoin(planVersions, and(eq(planVersions.planId, plans.id), eq(planVersions.version, plans.currentVersion))).where(inArray(plans.id, planIds));
  const planPriceRows = planIds.length === 0 ? [] : await db.select().from(planPrices).where(inArray(planPrices.planId, planIds));
  const customerIds = [...new Set([...lineRows.map((l) => l.customerId), ...usageRows.map((u) => u.customerId)])];
  const customerRows = customerIds.length === 0 ? [] : await db.select({ id: customers.id, name: customers.name }).from(customers).where(inArray(customers.id, customerIds));

  const currencies = computeMargins({
    lines: lineRows,
    usage,
    plans: new Map(
      planRows.map((r) => {
        const prices = new Map([[r.version.currency, r.version.priceAmount], ...planPriceRows.filter((p) => p.planId === r.plan.id && p.version === r.version.version).map((p) => [p.currency, p.priceAmount] as [string, number])]);
        return [r.plan.id, { id: r.plan.id, code: r.plan.code, name: r.version.name, priceAmount: r.version.priceAmount, prices }];
      }),
    ),
    customerNames: new Map(customerRows.map((c) => [c.id, c.name])),
  });
  const models = await modelFigures(db, from, to, usage);
  return {
    object: 'profitability_report' as const,
    from: query.from,
    to: last,
    generated_at: new Date(now).toISOString(),
    currencies: currencies.map((c) => ({ ...c, models: models.get(c.currency) ?? [] })),
  };
}

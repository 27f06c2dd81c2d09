import * as v from 'valibot';
import { consumerResource } from '../events/contract.ts';

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const signed = v.pipe(v.number(), v.safeInteger());
const currency = v.pipe(v.string(), v.regex(/^[A-Z]{3}$/));
const money = v.object({ amount: signed, currency });

/** MRR movement over a window: magnitudes, with net = new + expansion − contraction − churn. */
const movement = v.object({ new: money, expansion: money, contraction: money, churn: money, net: money });

/** The business figures of one currency. */
export const currencyReport = v.object({
  currency,
  /** Monthly recurring revenue now: active and past_due subscriptions at their plan version's price in their currency, yearly ones / 12. */
  mrr: money,
  /** This calendar month (UTC) so far. */
  mrr_movement: movement,
  /** The last 6 months, oldest first, this one last. */
  mrr_movement_by_month: v.array(v.object({ month: v.string(), movement })),
  /** Paid invoices' amount_paid, by the month they were paid in: the last 12 months, oldest first. */
  revenue_by_month: v.array(v.object({ month: v.string(), collected: money, invoices: count })),
  open: v.object({ invoices: count, amount_due: money }),
  overdue: v.object({ invoices: count, amount_due: money }),
});
export type CurrencyReport = v.InferOutput<typeof currencyReport>;

/** GET /v1/reports/overview: the platform at a glance. */
export const overviewResource = v.object({
  object: v.literal('overview'),
  generated_at: v.string(),
  month_start: v.string(),
  currencies: v.array(currencyReport),
  /** Live subscriptions by status (canceled ones are not counted). */
  subscriptions: v.record(v.string(), count),
  /** Events per minute by type over the last hour: `minutes` are the minutes' starts, each type's `counts` aligned with them. */
  events: v.object({
    minutes: v.array(v.string()),
    types: v.array(v.object({ type: v.string(), total: count, counts: v.array(count) })),
  }),
  consumers: v.array(consumerResource),
  outbox: v.object({ depth: count, oldest_unpublished_at: v.nullable(v.string()), oldest_age_seconds: v.nullable(count) }),
});
export type OverviewResource = v.InferOutput<typeof overviewResource>;

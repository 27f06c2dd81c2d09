import * as v from 'valibot';
import { currencyCode } from '../kernel/currency.ts';

/** The longest window one report covers, in months. */
export const MAX_REPORT_MONTHS = 36;

const month = v.pipe(v.string(), v.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM'));
const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;

export const profitabilityQuery = v.pipe(
  v.object({ from: month, to: month, currency: v.optional(currencyCode) }),
  v.forward(
    v.check((q) => monthIndex(q.to) >= monthIndex(q.from), 'must not be before from'),
    ['to'],
  ),
  v.forward(
    v.check((q) => monthIndex(q.to) - monthIndex(q.from) < MAX_REPORT_MONTHS, `must be at most ${MAX_REPORT_MONTHS} months after from`),
    ['to'],
  ),
);
export type ProfitabilityQuery = v.InferOutput<typeof profitabilityQuery>;

const signed = v.pipe(v.number(), v.safeInteger());
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const figures = { revenue: signed, token_cost: signed, margin: signed };
const months = v.array(v.object({ month: v.string(), ...figures }));

export const profitabilityResource = v.object({
  object: v.literal('profitability_report'),
  from: v.string(),
  to: v.string(),
  generated_at: v.string(),
  currencies: v.array(
    v.object({
      currency: v.string(),
      ...figures,
      months,
      /** Ranked by margin, highest first. */
      customers: v.array(v.object({ customer_id: v.string(), name: v.nullable(v.string()), ...figures, months })),
      /** Ranked by margin, highest first. */
      plans: v.array(
        v.object({
          plan_id: v.string(),
          code: v.nullable(v.string()),
          name: v.nullable(v.string()),
          ...figures,
          subscription_periods: count,
          price_amount: v.nullable(signed),
          average_token_cost_per_period: v.nullable(signed),
          average_overage_revenue_per_period: v.nullable(signed),
          under_cost: v.boolean(),
          months,
        }),
      ),
      flagged_plans: v.array(v.string()),
      unpriced_models: v.array(v.object({ model: v.string(), tokens: count })),
    }),
  ),
});

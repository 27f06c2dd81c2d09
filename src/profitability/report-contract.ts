import * as v from 'valibot';
import { currencyCode } from '../kernel/currency.ts';

/** The longest window one report covers, in months. */
export const MAX_REPORT_MONTHS = 36;

// A month from 1970 on, so every one is a real UTC month (Date.UTC reads years 0–99 as 1900–1999).
const month = v.pipe(v.string(), v.regex(/^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])$/, 'must be a month from 1970-01 on, as YYYY-MM'));
// The window is a first month and a count, not two ends: a count has limits the API document can
// state exactly (1 to 36), where "to is at most 36 months after from" could not be.
const monthCount = v.pipe(
  v.string(),
  v.digits('must be a whole number of months'),
  v.metadata({ type: 'integer', minimum: 1, maximum: MAX_REPORT_MONTHS, pattern: undefined }),
  v.transform(Number),
  v.minValue(1, 'must be at least 1'),
  v.maxValue(MAX_REPORT_MONTHS, `must be at most ${MAX_REPORT_MONTHS}`),
);

export const profitabilityQuery = v.object({ from: month, months: v.optional(monthCount, '1'), currency: v.optional(currencyCode) });

/** The month `n` months after `month` (YYYY-MM). */
export function addMonths(month: string, n: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}
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
      /**
       * Per model, ranked by margin: revenue from the priced `ai_tokens` charges of the periods starting in the
       * window (a price naming the model is its own; other lines and the charge's minimum/maximum shared by tokens),
       * token cost as above, rounded once per model.
       */
      models: v.array(v.object({ model: v.string(), tokens: count, ...figures })),
    }),
  ),
});

import * as v from 'valibot';

const whole = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const planRef = v.object({ id: v.string(), code: v.string(), name: v.string(), version: whole });

/** GET /v1/customers/:id/suggestions. Amounts are minor units of `currency`. */
export const suggestionsResource = v.object({
  object: v.literal('plan_suggestions'),
  customer_id: v.string(),
  /** The customer's live subscription the suggestion is for; null when it has none (nothing else is then set). */
  subscription_id: v.nullable(v.string()),
  current_plan: v.nullable(planRef),
  currency: v.nullable(v.string()),
  /** The last (up to) three ended billing periods, oldest first, with what each cost and would have cost. */
  periods: v.array(
    v.object({
      period_start: v.string(),
      period_end: v.string(),
      used_tokens: whole,
      current_cost: whole,
      suggested_cost: v.nullable(whole),
      /** Negative for a period the suggested plan would have cost more. */
      saving: v.nullable(v.pipe(v.number(), v.safeInteger())),
    }),
  ),
  /** The plan that would have cost least; null when none costs less than the current one. */
  suggested_plan: v.nullable(planRef),
  current_cost: whole,
  suggested_cost: v.nullable(whole),
  saving: whole,
  /** The saving as basis points of the current cost (1000 = 10 %). */
  saving_bps: whole,
});
export type SuggestionsResource = v.InferOutput<typeof suggestionsResource>;

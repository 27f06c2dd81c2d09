import * as v from 'valibot';
import { currency, iso, whole } from '../events/shapes.ts';

/** The operators' price list of models (src/profitability); subject: the model price. */
export const profitabilityEvents = {
  /** A new version of a model's cost per 1,000 tokens (operators' price list; src/profitability). */
  'model_price.created': v.object({
    model_price: v.object({
      id: v.string(),
      object: v.literal('model_price'),
      model: v.string(),
      currency,
      version: whole,
      cost_per_1k_micros: whole,
      effective_from: iso,
      created_at: iso,
    }),
  }),
} as const;

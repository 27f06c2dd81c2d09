import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { currencyCode } from '../kernel/currency.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import { singleLine, maxChars } from '../kernel/text.ts';

/** Highest cost per 1,000 tokens: 1,000,000 minor units (10,000.00 EUR), in micros. */
export const MAX_COST_PER_1K_MICROS = 1_000_000_000_000;

/** A model's name as usage records carry it. */
export const modelName = v.pipe(v.string('must be a string'), singleLine, v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(100, 'must be at most 100 characters'));

export const createModelPriceInput = v.strictObject({
  model: modelName,
  currency: currencyCode,
  /**
   * Millionths of a minor unit per 1,000 tokens: model prices are fractions of a cent
   * (0.015 cents per 1,000 tokens is 15,000), which whole minor units cannot hold.
   */
  cost_per_1k_micros: v.pipe(
    v.number('must be a whole number of millionths of a minor unit'),
    v.safeInteger('must be a whole number of millionths of a minor unit'),
    v.minValue(0, 'must not be negative'),
    v.maxValue(MAX_COST_PER_1K_MICROS, `must be at most ${MAX_COST_PER_1K_MICROS}`),
  ),
  effective_from: realTimestamp(),
});
export type CreateModelPriceInput = v.InferOutput<typeof createModelPriceInput>;

export const modelPriceParams = v.object({ model: modelName });
export const listModelPricesQuery = v.object({ ...pageQuery, currency: v.optional(currencyCode) });
export type ListModelPricesQuery = v.InferOutput<typeof listModelPricesQuery>;
export const listModelPriceVersionsQuery = v.object({ ...pageQuery });
export type ListModelPriceVersionsQuery = v.InferOutput<typeof listModelPriceVersionsQuery>;

export const modelPriceResource = v.object({
  id: v.string(),
  object: v.literal('model_price'),
  model: v.string(),
  currency: v.string(),
  version: v.number(),
  cost_per_1k_micros: v.number(),
  effective_from: v.string(),
  created_at: v.string(),
});
export type ModelPriceResource = v.InferOutput<typeof modelPriceResource>;

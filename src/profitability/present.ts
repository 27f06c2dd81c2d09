import type { modelPrices } from '../../db/schema/index.ts';
import type { ModelPriceResource } from './contract.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A model price version as the API and its event show it. */
export const toModelPriceResource = (row: typeof modelPrices.$inferSelect): ModelPriceResource => ({
  id: row.id,
  object: 'model_price',
  model: row.model,
  currency: row.currency,
  version: row.version,
  cost_per_1k_micros: row.costPer1kMicros,
  effective_from: iso(row.effectiveFrom),
  created_at: iso(row.createdAt),
});

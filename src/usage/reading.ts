import { BUILT_IN_METER_CODE } from '../../db/schema/index.ts';
import type { MeterRow } from '../meters/present.ts';
import { dimensionsKey } from './aggregates.ts';
import { isUsageEvent, type RefusalReason, type UsageRecordInput } from './contract.ts';

/** Most tokens one `ai_tokens` record may carry, whichever shape it came in (as a token record's `tokens`). */
const MAX_RECORD_TOKENS = 1_000_000_000;

/** A record as its meter reads it. */
export interface Reading {
  meter: MeterRow;
  /** The properties the meter reads from: a token record's are its model, tokens and token_type. */
  properties: Record<string, string | number>;
  /** What it adds: the value property (sum, max, latest), or 1 (count, unique_count). */
  value: number;
  /** unique_count: the value (as text) whose first sighting in a period and dimension values counts. */
  unique?: string;
  /** The canonical key of its dimension values (src/usage/aggregates.ts). */
  dimensions: string;
  /** What usage_records keeps: `model` (the `model` property when it is a string, else '') and `properties` (null for a token record without `token_type`). */
  model: string;
  stored: Record<string, string | number> | null;
}

/** Why a meter cannot read a record, said in words too. */
export type Unreadable = { reason: Extract<RefusalReason, 'unknown_meter' | 'invalid_value'>; message: string };

/**
 * Reads a record by its meter (one of `meters`, the batch's, by code): `sum`, `max` and `latest`
 * read `value_property` as a whole, non-negative number (a finer unit for fractions: meter
 * milliseconds, not seconds), `count` counts 1, `unique_count` counts 1 for a value not seen yet.
 * A token record is an `ai_tokens` event whose properties are its `model`, `tokens` and
 * `token_type`; `ai_tokens` takes 1 to 1,000,000,000 tokens a record, as token records do.
 */
export function readRecord(input: UsageRecordInput, meters: ReadonlyMap<string, MeterRow>): Reading | Unreadable {
  const code = isUsageEvent(input) ? input.meter : BUILT_IN_METER_CODE;
  const meter = meters.get(code);
  if (!meter) return { reason: 'unknown_meter', message: `no meter has the code ${code}` };
  if (meter.status !== 'active') return { reason: 'unknown_meter', message: `meter ${code} is archived` };
  const properties: Record<string, string | number> = isUsageEvent(input)
    ? input.properties
    : { model: input.model, tokens: input.tokens, ...(input.token_type ? { token_type: input.token_type } : {}) };
  const stored = isUsageEvent(input) ? input.properties : input.token_type ? properties : null;
  const model = typeof properties.model === 'string' ? properties.model : '';
  const dimensions = dimensionsKey(meter.groupBy, properties);
  if (meter.aggregation === 'count') return { meter, properties, value: 1, dimensions, model, stored };
  const name = meter.valueProperty!;
  const raw = properties[name];
  if (raw === undefined) return { reason: 'invalid_value', message: `property ${name} is missing: meter ${code} reads it` };
  if (meter.aggregation === 'unique_count') return { meter, properties, value: 1, unique: String(raw), dimensions, model, stored };
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
    return { reason: 'invalid_value', message: `property ${name} must be a whole, non-negative number (meter a finer unit for fractions)` };
  }
  if (code === BUILT_IN_METER_CODE && (raw < 1 || raw > MAX_RECORD_TOKENS)) {
    return { reason: 'invalid_value', message: `property ${name} must be 1 to ${MAX_RECORD_TOKENS} tokens` };
  }
  return { meter, properties, value: raw, dimensions, model, stored };
}

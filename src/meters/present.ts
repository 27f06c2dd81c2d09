import type { InferSelectModel } from 'drizzle-orm';
import type { meters } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { MeterResource } from './contract.ts';

export type MeterRow = InferSelectModel<typeof meters>;

/** The API shape of a meter: its definition (as events carry it) and its lifecycle. */
export function toMeterResource(row: MeterRow): MeterResource {
  return {
    object: 'meter',
    ...toMeterSnapshot(row),
    built_in: row.builtIn,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    archived_at: toIsoOrNull(row.archivedAt),
  };
}

/** The meter as carried inside `meter.*` events: its whole definition. */
export function toMeterSnapshot(row: MeterRow): EventData<'meter.created'>['meter'] {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    aggregation: row.aggregation,
    value_property: row.valueProperty,
    group_by: row.groupBy,
    status: row.status,
  };
}

import * as v from 'valibot';
import { meterAggregations, meterStatuses } from '../../db/schema/index.ts';

/** A meter's definition inside events (and inside its API shape). */
export const meterSnapshot = v.object({
  id: v.string(),
  code: v.string(),
  name: v.string(),
  description: v.nullable(v.string()),
  aggregation: v.picklist(meterAggregations),
  value_property: v.nullable(v.string()),
  group_by: v.array(v.string()),
  status: v.picklist(meterStatuses),
});

/** Meters: what usage is measured in and how it aggregates (docs/meters.md); subject: the meter's id. */
export const meterEvents = {
  'meter.created': v.object({ meter: meterSnapshot }),
  /** `name` or `description` changed (nothing else of a meter ever does); `changed` names which. */
  'meter.updated': v.object({ meter: meterSnapshot, changed: v.array(v.string()) }),
  'meter.archived': v.object({ meter: meterSnapshot }),
} as const;

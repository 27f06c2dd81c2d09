import type { InferSelectModel } from 'drizzle-orm';
import type { testClocks } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { TestClockResource } from './contract.ts';

export type TestClockRow = InferSelectModel<typeof testClocks>;

/** The API shape of a test clock, with how many customers live on it. */
export function toTestClockResource(row: TestClockRow, customers: number): TestClockResource {
  return {
    id: row.id,
    object: 'test_clock',
    name: row.name,
    frozen_time: toIso(row.frozenTime),
    status: row.status,
    advancing_to: toIsoOrNull(row.advancingTo),
    customers,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

/** The clock as carried inside `test_clock.*` events. */
export function toTestClockSnapshot(row: TestClockRow): EventData<'test_clock.created'>['test_clock'] {
  return { id: row.id, name: row.name, frozen_time: toIso(row.frozenTime), status: row.status };
}

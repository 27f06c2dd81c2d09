import * as v from 'valibot';
import { testClockStatuses } from '../../db/schema/index.ts';
import { iso, whole } from '../events/shapes.ts';

/** A test clock inside events. */
const testClockSnapshot = v.object({ id: v.string(), name: v.string(), frozen_time: iso, status: v.picklist(testClockStatuses) });

/** Test clocks: simulated time for sandbox customers (docs/test-clocks.md); subject: the clock. */
export const testClockEvents = {
  /** A test clock (simulated time for sandbox customers) was created; subject: the clock. */
  'test_clock.created': v.object({ test_clock: testClockSnapshot }),
  /** An advance finished: the clock is at `test_clock.frozen_time`, its customers' billing ran `steps` passes on the way. */
  'test_clock.advanced': v.object({ test_clock: testClockSnapshot, previous_frozen_time: iso, steps: whole }),
  /** A test clock was deleted; its customers stay archived on it. */
  'test_clock.deleted': v.object({ test_clock: testClockSnapshot, archived_customers: whole }),
} as const;

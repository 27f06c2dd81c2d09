import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { testClockStatuses } from '../../db/schema/index.ts';
import { testClockId } from '../customers/contract.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import { singleLine } from '../kernel/text.ts';

/** The longest one advance may move a clock: two years (731 days, a leap day included). */
export const MAX_ADVANCE_MS = 731 * 24 * 60 * 60 * 1000;

const timestamp = realTimestamp();
const name = v.pipe(v.string(), singleLine, v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200, 'must be at most 200 characters'));

export const testClockParams = v.object({ id: testClockId });

export const createTestClockInput = v.strictObject({
  name,
  /** Where the clock starts; any time, past or future. */
  frozen_time: timestamp,
});
export type CreateTestClockInput = v.InferOutput<typeof createTestClockInput>;

export const advanceTestClockInput = v.strictObject({
  /** The new time: after the clock's current `frozen_time`, at most two years after it. */
  frozen_time: timestamp,
});
export type AdvanceTestClockInput = v.InferOutput<typeof advanceTestClockInput>;

export const listTestClocksQuery = v.object({ ...pageQuery });

export const testClockResource = v.object({
  id: v.string(),
  object: v.literal('test_clock'),
  name: v.string(),
  frozen_time: v.string(),
  /** `advancing` while an advance runs (a retry of the same advance resumes it); `ready` otherwise. */
  status: v.picklist(testClockStatuses),
  advancing_to: v.nullable(v.string()),
  /** How many sandbox customers live on the clock. */
  customers: v.number(),
  created_at: v.string(),
  updated_at: v.string(),
});
export type TestClockResource = v.InferOutput<typeof testClockResource>;

/** What one advance did, summed over its steps. */
export const advanceSummary = v.object({
  from: v.string(),
  to: v.string(),
  /** Billing passes run, one per step (a boundary, or at most a day apart). */
  steps: v.number(),
  /** Subscription boundaries crossed (trial ends, renewals, period-end cancellations). */
  advanced: v.number(),
  finalized: v.number(),
  /** Automatic payment attempts (first attempts and dunning retries). */
  attempted: v.number(),
  resumed: v.number(),
  errors: v.number(),
});

export const testClockAdvanceResource = v.object({ ...testClockResource.entries, advance: advanceSummary });
export type TestClockAdvanceResource = v.InferOutput<typeof testClockAdvanceResource>;

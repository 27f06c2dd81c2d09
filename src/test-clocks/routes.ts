import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import { runSaga } from '../http/saga.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { advanceTestClockWrite } from './advance.ts';
import { advanceTestClockInput, createTestClockInput, listTestClocksQuery, testClockAdvanceResource, testClockParams, testClockResource } from './contract.ts';
import { createTestClock } from './create.ts';
import { deleteTestClock } from './delete.ts';
import { getTestClock, listTestClocks } from './queries.ts';

const tags = ['Test clocks'];
const clock = { status: 200, description: 'The test clock', schema: testClockResource };

/** /v1/test-clocks: simulated time for sandbox customers (admin only; API keys cannot see them). */
export function testClockRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    doc({
      summary: 'Create a test clock',
      description: 'A clock frozen at `frozen_time`. Customers onboarded with its `test_clock_id` live on it: every verb acting on them uses its time, and only advancing it runs their billing. Emits `test_clock.created`.',
      tags, access: 'admin', tenant: 'none',
      success: { ...clock, status: 201, description: 'Created' },
      idempotent: true,
    }),
    validate('json', createTestClockInput),
    (c) => runCommand(c, 201, (ctx) => createTestClock(ctx, c.req.valid('json'))),
  );

  app.get(
    '/',
    doc({ summary: 'List test clocks', description: 'Newest first, deleted clocks left out. Pass `next_cursor` back as `cursor`.', tags, access: 'admin', tenant: 'none', success: { status: 200, description: 'A page of test clocks', schema: pageSchema(testClockResource) } }),
    validate('query', listTestClocksQuery),
    async (c) => c.json(await listTestClocks(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/:id',
    doc({ summary: 'Get a test clock', tags, access: 'admin', tenant: 'none', success: clock, errors: [404] }),
    validate('param', testClockParams),
    async (c) => c.json(await getTestClock(c.get('deps').db, c.req.valid('param').id)),
  );

  app.post(
    '/:id/advance',
    doc({
      summary: 'Advance a test clock',
      description:
        "Moves the clock forward to `frozen_time` (later than now on the clock, at most two years) as if the time passed for its customers: in steps at each boundary they have (trial and period ends, review windows, dunning retries) and at least once per simulated day, the billing pass runs for this clock's customers only, so renewals, finalization, collection and dunning happen in order with the same events as live. Runs inside the request: the answer is the clock `ready` at the new time with what the advance did (`advance`). A crash leaves it `advancing`; the same advance again resumes it, another is 409. Emits `test_clock.advanced`.",
      tags, access: 'admin', tenant: 'none',
      success: { status: 200, description: 'Advanced', schema: testClockAdvanceResource },
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', testClockParams),
    validate('json', advanceTestClockInput),
    // The advance commits step by step (each billing pass runs its own transactions): resumable, not one transaction.
    (c) => runSaga(c, 200, advanceTestClockWrite(c.get('deps').payments, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.delete(
    '/:id',
    doc({
      summary: 'Delete a test clock',
      description: "Deletes the clock (409 while advancing). Its customers are archived with it: they stay sandbox customers frozen at the clock's last time, never billed by the live pass nor counted in reports. Emits `test_clock.deleted`.",
      tags, access: 'admin', tenant: 'none',
      success: clock,
      errors: [404, 409],
    }),
    validate('param', testClockParams),
    (c) => runCommand(c, 200, (ctx) => deleteTestClock(ctx, c.req.valid('param').id)),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const testClockMounts: Mount[] = [mount('/test-clocks', testClockRoutes)];

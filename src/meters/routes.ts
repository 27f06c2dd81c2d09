import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { archiveMeter } from './archive.ts';
import { createMeterInput, listMetersQuery, meterParams, meterResource, updateMeterInput } from './contract.ts';
import { createMeter } from './create.ts';
import { getMeter, listMeters } from './queries.ts';
import { updateMeter } from './update.ts';

const tags = ['Meters'];
const meter = { status: 200, description: 'The meter', schema: meterResource };
/** Platform-wide keys read meters with `usage:read` (a gateway learns what it may report); only operators define them. */
const read = { access: 'viewer', scope: 'usage:read', tenant: 'none' } as const;
const write = { access: 'operator', tenant: 'none' } as const;
const builtIn = 'The built-in `ai_tokens` meter cannot be changed or archived (409).';

/** /v1/meters: what usage is measured in and how it aggregates; addressed by `code`, archived instead of deleted. */
export function meterRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    doc({
      summary: 'Create a meter',
      description:
        'Creates an `active` meter. `code` (lowercase letters, digits, `_`) names it for good: usage records name it, and it is never freed, even archived (a taken code is 409 `conflict` naming `code`). `aggregation` is `sum`, `max` or `latest` of the numeric `value_property`, `unique_count` of the distinct values of `value_property`, or `count` of events (no `value_property`). `group_by` lists up to five dimension properties. Emits `meter.created`.',
      tags, ...write,
      success: { ...meter, status: 201, description: 'Created' },
      errors: [409],
      idempotent: true,
    }),
    validate('json', createMeterInput),
    (c) => runCommand(c, 201, (ctx) => createMeter(ctx, c.req.valid('json'))),
  );

  app.get(
    '/',
    doc({ summary: 'List meters', description: 'Newest first, the built-in `ai_tokens` meter included; filter by `status`. Pass `next_cursor` back as `cursor`.', tags, ...read, success: { status: 200, description: 'A page of meters', schema: pageSchema(meterResource) } }),
    validate('query', listMetersQuery),
    async (c) => c.json(await listMeters(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/:code',
    doc({ summary: 'Get a meter', description: 'By its code, in any status.', tags, ...read, success: meter, errors: [404] }),
    validate('param', meterParams),
    async (c) => c.json(await getMeter(c.get('deps').db, c.req.valid('param').code)),
  );

  app.patch(
    '/:code',
    doc({
      summary: 'Update a meter',
      description: `Only \`name\` and \`description\` change (\`null\` clears the description); what a meter measures never does: define a new meter instead. Archived meters cannot change (409). ${builtIn} A patch that changes nothing emits nothing. Emits \`meter.updated\`.`,
      tags, ...write,
      success: meter,
      errors: [404, 409],
    }),
    validate('param', meterParams),
    validate('json', updateMeterInput),
    (c) => runCommand(c, 200, (ctx) => updateMeter(ctx, c.req.valid('param').code, c.req.valid('json'))),
  );

  app.post(
    '/:code/archive',
    doc({
      summary: 'Archive a meter',
      description: `\`active\` → \`archived\`: the meter keeps its definition and stays readable, and its code stays taken. Archiving twice is a 409. ${builtIn} Emits \`meter.archived\`.`,
      tags, ...write,
      success: meter,
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', meterParams),
    (c) => runCommand(c, 200, (ctx) => archiveMeter(ctx, c.req.valid('param').code)),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const meterMounts: Mount[] = [mount('/meters', meterRoutes)];

import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { deadLetterParams, deadLetterResource, listDeadLettersQuery } from './contract.ts';
import { getDeadLetter, listDeadLetters } from './queries.ts';
import { replayDeadLetter } from './replay.ts';

const tags = ['Events'];
const deadLetter = { status: 200, description: 'The dead letter', schema: deadLetterResource };

/** /v1/dead-letters: events consumer groups could not handle, and replaying them. */
export function deadLetterRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/',
    doc({ summary: 'List dead letters', description: 'Newest first; filter by consumer `group` and `state` (`waiting` or `replayed`). Each carries the reason and the envelope as it was parked. Pass `next_cursor` back as `cursor`.', tags, access: 'viewer', tenant: 'none', success: { status: 200, description: 'A page of dead letters', schema: pageSchema(deadLetterResource) } }),
    validate('query', listDeadLettersQuery),
    async (c) => c.json(await listDeadLetters(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/:id',
    doc({ summary: 'Get a dead letter', tags, access: 'viewer', tenant: 'none', success: deadLetter, errors: [404] }),
    validate('param', deadLetterParams),
    async (c) => c.json(await getDeadLetter(c.get('deps').db, c.req.valid('param').id)),
  );

  app.post(
    '/:id/replay',
    doc({
      summary: 'Replay a dead letter',
      description:
        'Hands the event back to the consumer group that parked it (that group only), marks it replayed (`replayed_at`) and audits it (`dead_letter.replay`). Replaying one already replayed changes nothing. The group dedupes by event id, so the effect happens once; if it fails again it is parked again with the new reason and `replayed_at` cleared. Needs the embedded bus: on Kafka it is a 409 (replay from the `.dlq` topic), as for an envelope without an id.',
      tags,
      access: 'operator', tenant: 'none',
      success: deadLetter,
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', deadLetterParams),
    (c) => runCommand(c, 200, (ctx) => replayDeadLetter(ctx, c.get('deps').bus, c.req.valid('param').id)),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const deadLetterMounts: Mount[] = [mount('/dead-letters', deadLetterRoutes)];

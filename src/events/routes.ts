import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { pageQuery, pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { toIsoOrNull } from '../kernel/clock.ts';
import { eventTypes } from './catalog.ts';
import { consumerList, eventResource } from './contract.ts';
import { listEvents } from './queries.ts';
import { maxChars } from '../kernel/text.ts';

const eventsQuery = v.object({
  ...pageQuery,
  type: v.optional(v.picklist(eventTypes, `must be a known event type`)),
  subject: v.optional(v.pipe(v.string(), ...maxChars(100))),
});

/** /v1/events and /v1/consumers: what happened, and how far each consumer group got. */
export function eventRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/events',
    doc({ summary: 'List events', description: 'In commit order, oldest first (a log). Filter by `type` and `subject`. `delivery` says whether the relay has published it and which consumer groups handled it.', tags: ['Events'], access: 'viewer', scope: 'events:read', tenant: 'none', success: { status: 200, description: 'A page of events', schema: pageSchema(eventResource) } }),
    validate('query', eventsQuery),
    async (c) => c.json(await listEvents(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/consumers',
    doc({ summary: 'List consumer groups', description: 'Each group with its position on the bus, its lag (events of its types not yet handled) and how many events it dead-lettered.', tags: ['Events'], access: 'viewer', tenant: 'none', success: { status: 200, description: 'Consumer groups', schema: consumerList } }),
    async (c) => {
      const groups = await c.get('deps').bus.groups();
      return c.json({
        data: groups.map((g) => ({
          group: g.group,
          types: g.types,
          position: g.position,
          lag: g.lag,
          dead_letters: g.deadLetters,
          updated_at: toIsoOrNull(g.updatedAt),
        })),
      });
    },
  );

  return app;
}

/** Mounted at the /v1 root: its routes span /v1/events and /v1/consumers. */
export const eventMounts: Mount[] = [mount('/', eventRoutes)];

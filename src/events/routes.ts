import { and, count, eq, gt, inArray } from 'drizzle-orm';
import { Hono } from 'hono';
import * as v from 'valibot';
import { deadLetters, inbox, outbox } from '../../db/schema/index.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { decodeCursor, pageQuery, pageSchema, toPage } from '../http/pagination.ts';
import { validate } from '../http/validate.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import { eventTypes } from './catalog.ts';

const eventsQuery = v.object({
  ...pageQuery,
  type: v.optional(v.picklist(eventTypes, `must be a known event type`)),
  subject: v.optional(v.pipe(v.string(), v.maxLength(100))),
});

const eventResource = v.object({
  id: v.string(),
  type: v.string(),
  source: v.string(),
  subject: v.string(),
  sequence: v.number(),
  time: v.string(),
  data: v.record(v.string(), v.unknown()),
  delivery: v.object({
    state: v.picklist(['pending', 'published']),
    published_at: v.nullable(v.string()),
    attempts: v.number(),
    last_error: v.nullable(v.string()),
    handled_by: v.array(v.string()),
  }),
});

const consumerResource = v.object({
  group: v.string(),
  types: v.array(v.string()),
  position: v.number(),
  lag: v.number(),
  dead_letters: v.number(),
  updated_at: v.nullable(v.string()),
});

/** /v1/events and /v1/consumers: what happened, and how far each consumer group got. */
export function eventRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/events',
    doc({ summary: 'List events', description: 'Oldest first (a log). Filter by `type` and `subject`. `delivery` says whether the relay has published it and which consumer groups handled it.', tags: ['Events'], access: 'viewer', success: { status: 200, description: 'A page of events', schema: pageSchema(eventResource) } }),
    validate('query', eventsQuery),
    async (c) => {
      const { db } = c.get('deps');
      const q = c.req.valid('query');
      const after = decodeCursor(q.cursor, 'string');
      const rows = await db
        .select()
        .from(outbox)
        .where(and(after ? gt(outbox.id, after) : undefined, q.type ? eq(outbox.type, q.type) : undefined, q.subject ? eq(outbox.subject, q.subject) : undefined))
        .orderBy(outbox.id)
        .limit(q.limit + 1);
      const ids = rows.map((r) => r.id);
      const handled = ids.length ? await db.select().from(inbox).where(inArray(inbox.eventId, ids)) : [];
      const groupsOf = new Map<string, string[]>();
      for (const h of handled) groupsOf.set(h.eventId, [...(groupsOf.get(h.eventId) ?? []), h.consumer]);
      return c.json(
        toPage(rows, q.limit, (r) => r.id, (r) => ({
          id: r.id,
          type: r.type,
          source: r.source,
          subject: r.subject,
          sequence: r.sequence,
          time: toIso(r.time),
          data: r.data,
          delivery: {
            state: r.publishedAt === null ? ('pending' as const) : ('published' as const),
            published_at: toIsoOrNull(r.publishedAt),
            attempts: r.attempts,
            last_error: r.lastError,
            handled_by: (groupsOf.get(r.id) ?? []).sort(),
          },
        })),
      );
    },
  );

  app.get(
    '/consumers',
    doc({ summary: 'List consumer groups', description: 'Each group with its position on the bus, its lag (events of its types not yet handled) and how many events it dead-lettered.', tags: ['Events'], access: 'viewer', success: { status: 200, description: 'Consumer groups', schema: v.object({ data: v.array(consumerResource) }) } }),
    async (c) => {
      const { bus, db } = c.get('deps');
      const groups = await bus.groups();
      const dead = await db.select({ consumer: deadLetters.consumer, n: count() }).from(deadLetters).groupBy(deadLetters.consumer);
      const deadOf = new Map(dead.map((d) => [d.consumer, d.n]));
      return c.json({
        data: groups.map((g) => ({
          group: g.group,
          types: g.types,
          position: g.position,
          lag: g.lag,
          dead_letters: deadOf.get(g.group) ?? 0,
          updated_at: toIsoOrNull(g.updatedAt),
        })),
      });
    },
  );

  return app;
}

import * as v from 'valibot';
import type { EventData, EventType } from './catalog.ts';

/** An event of the outbox with its delivery state. */
export const eventResource = v.object({
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
export type EventResource = v.InferOutput<typeof eventResource>;

/** An event as GET /v1/events shows it, its `data` typed by its `type` (the catalog's schema). */
export type TypedEventResource<T extends EventType = EventType> = { [K in T]: Omit<EventResource, 'type' | 'data'> & { type: K; data: EventData<K> } }[T];

/** A consumer group with its position, lag and dead letters. */
export const consumerResource = v.object({
  group: v.string(),
  types: v.array(v.string()),
  position: v.number(),
  lag: v.number(),
  dead_letters: v.number(),
  updated_at: v.nullable(v.string()),
});
export type ConsumerResource = v.InferOutput<typeof consumerResource>;

/** GET /v1/consumers: every consumer group (not paged: there are a handful). */
export const consumerList = v.object({ data: v.array(consumerResource) });
export type ConsumerList = v.InferOutput<typeof consumerList>;

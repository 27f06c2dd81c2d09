import * as v from 'valibot';

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

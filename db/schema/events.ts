import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';

/**
 * The transactional outbox, which is also the event store behind /v1/events.
 * A row is written in the same transaction as the state it describes.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    source: text('source').notNull(),
    subject: text('subject').notNull(),
    /** 1, 2, 3 … per subject: lets a consumer tell a stale event from a new one. */
    sequence: integer('sequence').notNull(),
    time: timestamp('time').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    publishedAt: timestamp('published_at'),
    /** Lease: a relay owns unpublished rows until this time, so two relays never publish the same rows at once. */
    claimedUntil: timestamp('claimed_until'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** The request (X-Request-Id) whose command wrote this event; for events a consumer wrote, the originating request's. */
    requestId: text('request_id'),
    /** The caller's W3C trace context when its request carried one (the CloudEvents distributed-tracing extension). */
    traceparent: text('traceparent'),
  },
  (t) => [
    uniqueIndex('outbox_subject_sequence').on(t.subject, t.sequence),
    // Every key is NULL, so the entries run in rowid (commit) order: the relay's claim reads the
    // unpublished rows in order without scanning the published ones.
    index('outbox_unpublished_rowid').on(t.publishedAt).where(sql`published_at IS NULL`),
    // On the column alone: SQLite appends the rowid, the order events are listed and relayed in.
    index('outbox_type_rowid').on(t.type),
    index('outbox_subject_rowid').on(t.subject),
  ],
);

/** The embedded bus: an append-only log in the same database. */
export const busLog = sqliteTable(
  'bus_log',
  {
    offset: integer('offset').primaryKey({ autoIncrement: true }),
    eventId: text('event_id').notNull().unique(),
    type: text('type').notNull(),
    subject: text('subject').notNull(),
    envelope: text('envelope').notNull(),
    appendedAt: timestamp('appended_at').notNull(),
    /** A dead letter replayed for one group (src/dead-letters/replay.ts); null for an event every group gets. */
    targetGroup: text('target_group'),
  },
  (t) => [index('bus_log_type').on(t.type, t.offset), index('bus_log_subject').on(t.subject)],
);

/** Per consumer group: the last log offset it has fully handled. */
export const consumerPositions = sqliteTable('consumer_positions', {
  group: text('consumer_group').primaryKey(),
  position: integer('position').notNull(),
  /** Event types the group consumes; lag is counted over these. */
  types: text('types', { mode: 'json' }).$type<string[]>().notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/** Events a consumer has applied; written in the same transaction as the effects. */
export const inbox = sqliteTable(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    eventId: text('event_id').notNull(),
    handledAt: timestamp('handled_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] }), index('inbox_event').on(t.eventId)],
);

/** Events a consumer could not handle (invalid, unknown or kept failing), with the reason. */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    consumer: text('consumer').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    envelope: text('envelope').notNull(),
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at').notNull(),
    /** When an operator last replayed it; null while it waits (again, if the replay failed too). */
    replayedAt: timestamp('replayed_at'),
    /** How many times it was replayed: each replay is a new delivery key. */
    replays: integer('replays').notNull().default(0),
  },
  (t) => [uniqueIndex('dead_letters_consumer_event').on(t.consumer, t.eventId), index('dead_letters_consumer_id').on(t.consumer, t.id)],
);

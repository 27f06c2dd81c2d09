import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';

/** Idempotency-Key records, scoped to the caller so two callers never share a key. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    principal: text('principal').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state', { enum: ['in_progress', 'completed'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    /** While in progress: after this time the claim is considered abandoned (crashed request); its owner renews it while it runs. */
    lockedUntil: timestamp('locked_until').notNull(),
    /** Which request holds the claim (`<process instance>:<random>`); a retry that takes the key over writes its own. */
    owner: text('owner').notNull().default(''),
    /**
     * A write that commits several times (a payment saga, a test-clock advance): what its first
     * transaction created, written with it, so a retry after a crash resumes instead of starting again.
     */
    recoveryPoint: text('recovery_point', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] }), index('idempotency_created').on(t.createdAt)],
);

/**
 * Who changed what, when, through which request; written with the change. Entries another
 * service reported (`audit.recorded`, src/audit/events.ts) carry that service (the event's
 * CloudEvents `source`) and the event's id; ours have both null.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    requestId: text('request_id'),
    at: timestamp('at').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** The service that reported the entry; null for entries this platform wrote with its own changes. */
    source: text('source'),
    /** The `audit.recorded` event it came from; with `source` unique (CloudEvents ids are unique per source), so a re-delivery adds nothing. */
    eventId: text('event_id'),
  },
  (t) => [
    index('audit_target').on(t.targetId, t.id),
    index('audit_action').on(t.action, t.id),
    index('audit_source').on(t.source, t.id),
    uniqueIndex('audit_source_event').on(t.source, t.eventId),
  ],
);

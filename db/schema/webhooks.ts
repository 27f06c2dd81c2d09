import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { paymentTriggers } from './billing.ts';
import { timestamp, timestamps } from './columns.ts';

/** Why an endpoint stopped receiving: its owner turned it off, or it kept failing. */
export const webhookDisabledReasons = ['requested', 'failing'] as const;
/** A delivery waits to be sent (again), reached its receiver, or ran out of attempts. */
export const webhookDeliveryStatuses = ['pending', 'succeeded', 'failed'] as const;
/** Who asked for an attempt: the worker's schedule, or a person's resend (the same pair as a payment's triggers). */
export const webhookAttemptTriggers = paymentTriggers;

/**
 * A customer's webhook endpoint: where its events go, which types, and the signing
 * secret. The secret is kept readable (HMAC needs it to sign); after a rotation the
 * previous one still signs until `previous_secret_expires_at`.
 */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    /** Event types sent to it; `*` for every type. */
    eventTypes: text('event_types', { mode: 'json' }).$type<string[]>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    disabledReason: text('disabled_reason', { enum: webhookDisabledReasons }),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at'),
    /** Failed attempts in a row; a success sets it back to 0. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    ...timestamps,
  },
  (t) => [index('webhook_endpoints_customer').on(t.customerId, t.id)],
);

/** One event to one endpoint: its body (the CloudEvents envelope, as sent) and where its sending stands. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id').notNull(),
    customerId: text('customer_id').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: webhookDeliveryStatuses }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due (also a sender's lease while it sends); null when none is. */
    nextAttemptAt: timestamp('next_attempt_at'),
    /** The next attempt is a person's resend: one attempt, no automatic retries after it. */
    manual: integer('manual', { mode: 'boolean' }).notNull().default(false),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastAttemptAt: timestamp('last_attempt_at'),
    ...timestamps,
  },
  (t) => [
    // One delivery per event and endpoint: a redelivered event cannot queue it twice.
    uniqueIndex('webhook_deliveries_endpoint_event').on(t.endpointId, t.eventId),
    index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_endpoint').on(t.endpointId, t.id),
  ],
);

/** Every HTTP attempt of a delivery: what the receiver answered, how long it took, or why it failed. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    number: integer('number').notNull(),
    trigger: text('trigger', { enum: webhookAttemptTriggers }).notNull(),
    at: timestamp('at').notNull(),
    statusCode: integer('status_code'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    succeeded: integer('succeeded', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('webhook_attempts_delivery').on(t.deliveryId, t.number), index('webhook_attempts_endpoint').on(t.endpointId)],
);

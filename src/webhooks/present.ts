import type { InferSelectModel } from 'drizzle-orm';
import type { webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { WebhookDeliveryResource, WebhookResource } from './contract.ts';

export type EndpointRow = InferSelectModel<typeof webhookEndpoints>;
export type DeliveryRow = InferSelectModel<typeof webhookDeliveries>;
export type AttemptRow = InferSelectModel<typeof webhookAttempts>;

/** The previous secret's end, while it still signs at `now`; otherwise null. */
export const overlapEnd = (row: EndpointRow, now: number): number | null =>
  row.previousSecret && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt : null;

/** The API shape of an endpoint (never its secret). */
export function toWebhookResource(row: EndpointRow, now: number): WebhookResource {
  return {
    id: row.id,
    object: 'webhook_endpoint',
    customer_id: row.customerId,
    url: row.url,
    description: row.description,
    event_types: row.eventTypes,
    enabled: row.enabled,
    disabled_reason: row.disabledReason,
    consecutive_failures: row.consecutiveFailures,
    previous_secret_expires_at: toIsoOrNull(overlapEnd(row, now)),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

/** An endpoint as events carry it. */
export function toEndpointSnapshot(row: EndpointRow): EventData<'webhook_endpoint.created'>['endpoint'] {
  return { id: row.id, customer_id: row.customerId, url: row.url, event_types: row.eventTypes, enabled: row.enabled, disabled_reason: row.disabledReason };
}

/** The API shape of a delivery with its attempts (oldest first). */
export function toDeliveryResource(row: DeliveryRow, attempts: AttemptRow[]): WebhookDeliveryResource {
  return {
    id: row.id,
    object: 'webhook_delivery',
    endpoint_id: row.endpointId,
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? toIsoOrNull(row.nextAttemptAt) : null,
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    attempt_log: attempts
      .sort((a, b) => a.number - b.number)
      .map((a) => ({ number: a.number, trigger: a.trigger, at: toIso(a.at), succeeded: a.succeeded, status_code: a.statusCode, duration_ms: a.durationMs, error: a.error })),
  };
}

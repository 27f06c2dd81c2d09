import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { webhookAttemptTriggers, webhookDeliveryStatuses, webhookDisabledReasons } from '../../db/schema/index.ts';
import { customerId } from '../customers/contract.ts';
import { emittedEventTypes } from '../events/catalog.ts';
import { singleLine, maxChars } from '../kernel/text.ts';
import { oneOf } from '../kernel/one-of.ts';

const endpointId = v.pipe(v.string(), v.regex(/^whe_[0-9A-Z]{26}$/, 'must be a webhook endpoint id (whe_…)'));
const deliveryId = v.pipe(v.string(), v.regex(/^whd_[0-9A-Z]{26}$/, 'must be a webhook delivery id (whd_…)'));

export const customerWebhooksParams = v.object({ id: customerId });
export const webhookParams = v.object({ id: customerId, wid: endpointId });
export const webhookDeliveryParams = v.object({ id: customerId, wid: endpointId, did: deliveryId });

/** Where it points; the scheme and host rules depend on WEBHOOKS_ALLOW_HTTP and are checked by the verbs. */
const url = v.pipe(v.string(), v.trim(), ...maxChars(2000, 'must be at most 2000 characters'), v.url('must be an absolute URL such as https://example.com/webhooks'));
const eventType = v.union([v.literal('*'), v.picklist(emittedEventTypes)], 'must be a known event type or *');
const selectedTypes = v.pipe(
  v.array(eventType),
  v.minLength(1, 'must name at least one event type (or *)'),
  v.maxLength(100, 'must have at most 100 entries'),
  v.transform((types) => [...new Set(types)]),
);
const description = v.pipe(v.string(), singleLine, v.trim(), ...maxChars(500, 'must be at most 500 characters'));

export const createWebhookInput = v.strictObject({
  url,
  /** Event types to send; `*` for all. */
  event_types: selectedTypes,
  description: v.optional(description),
  enabled: v.optional(v.boolean(), true),
});
export type CreateWebhookInput = v.InferOutput<typeof createWebhookInput>;

export const updateWebhookInput = v.pipe(
  v.strictObject({
    url: v.optional(url),
    event_types: v.optional(selectedTypes),
    description: v.optional(v.nullable(description)),
    /** false turns the endpoint off; true turns it back on (also after it was disabled for failing). */
    enabled: v.optional(v.boolean()),
  }),
  v.check((input) => Object.keys(input).length > 0, 'must change at least one field'),
  v.metadata({ minProperties: 1 }),
);
export type UpdateWebhookInput = v.InferOutput<typeof updateWebhookInput>;

export const listWebhooksQuery = v.object({ ...pageQuery });
export const listDeliveriesQuery = v.object({
  ...pageQuery,
  status: v.optional(oneOf(webhookDeliveryStatuses)),
});
export type ListDeliveriesQuery = v.InferOutput<typeof listDeliveriesQuery>;

export const webhookResource = v.object({
  id: v.string(),
  object: v.literal('webhook_endpoint'),
  customer_id: v.string(),
  url: v.string(),
  description: v.nullable(v.string()),
  event_types: v.array(v.string()),
  enabled: v.boolean(),
  disabled_reason: v.nullable(v.picklist(webhookDisabledReasons)),
  consecutive_failures: v.number(),
  /** Until when the previous secret also signs (after a rotation); null when only one secret signs. */
  previous_secret_expires_at: v.nullable(v.string()),
  created_at: v.string(),
  updated_at: v.string(),
});
export type WebhookResource = v.InferOutput<typeof webhookResource>;

/** The endpoint with its signing secret: only in the answers to create and rotate. */
export const webhookWithSecret = v.object({ ...webhookResource.entries, secret: v.string() });
export type WebhookWithSecret = v.InferOutput<typeof webhookWithSecret>;

export const webhookAttemptResource = v.object({
  number: v.number(),
  trigger: v.picklist(webhookAttemptTriggers),
  at: v.string(),
  succeeded: v.boolean(),
  status_code: v.nullable(v.number()),
  duration_ms: v.number(),
  error: v.nullable(v.string()),
});

export const webhookDeliveryResource = v.object({
  id: v.string(),
  object: v.literal('webhook_delivery'),
  endpoint_id: v.string(),
  event_id: v.string(),
  event_type: v.string(),
  status: v.picklist(webhookDeliveryStatuses),
  attempts: v.number(),
  next_attempt_at: v.nullable(v.string()),
  last_status_code: v.nullable(v.number()),
  last_error: v.nullable(v.string()),
  created_at: v.string(),
  updated_at: v.string(),
  /** Every attempt, oldest first. */
  attempt_log: v.array(webhookAttemptResource),
});
export type WebhookDeliveryResource = v.InferOutput<typeof webhookDeliveryResource>;

import * as v from 'valibot';
import { webhookDisabledReasons } from '../../db/schema/index.ts';
import { iso, whole } from '../events/shapes.ts';

/** A webhook endpoint inside events; its secret is never carried. */
const webhookEndpointSnapshot = v.object({
  id: v.string(),
  customer_id: v.string(),
  url: v.string(),
  event_types: v.array(v.string()),
  enabled: v.boolean(),
  disabled_reason: v.nullable(v.picklist(webhookDisabledReasons)),
});

/** A customer's webhook endpoints. */
export const webhookEvents = {
  'webhook_endpoint.created': v.object({ endpoint: webhookEndpointSnapshot }),
  'webhook_endpoint.updated': v.object({ endpoint: webhookEndpointSnapshot, changed: v.array(v.string()) }),
  'webhook_endpoint.enabled': v.object({ endpoint: webhookEndpointSnapshot }),
  /** Turned off on request, or by the sender after `consecutive_failures` failed attempts in a row. */
  'webhook_endpoint.disabled': v.object({ endpoint: webhookEndpointSnapshot, reason: v.picklist(webhookDisabledReasons), consecutive_failures: whole }),
  /** A new secret signs; the previous one also signs until `previous_secret_expires_at`. */
  'webhook_endpoint.secret_rotated': v.object({ endpoint: webhookEndpointSnapshot, previous_secret_expires_at: iso }),
  'webhook_endpoint.deleted': v.object({ endpoint: webhookEndpointSnapshot }),
} as const;

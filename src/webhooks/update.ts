import { eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadLiveCustomer } from '../customers/load.ts';
import { emit } from '../events/outbox.ts';
import type { NewEvent } from '../events/catalog.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import type { UpdateWebhookInput, WebhookResource } from './contract.ts';
import { checkUrl, loadEndpoint } from './load.ts';
import { toEndpointSnapshot, toWebhookResource, type EndpointRow } from './present.ts';

/**
 * Changes an endpoint's URL, event types, description or whether it is enabled. Turning
 * it on again clears its failure count. Emits `webhook_endpoint.updated` for URL, types or
 * description, `webhook_endpoint.enabled|disabled` for the switch; a change to nothing emits nothing.
 */
export function updateWebhook(ctx: Ctx, customerId: string, endpointId: string, input: UpdateWebhookInput): Promise<WebhookResource> {
  return withTransaction(ctx, async (ctx) => {
    await loadLiveCustomer(ctx, customerId);
    const current = await loadEndpoint(ctx, customerId, endpointId);
    if (input.url !== undefined) checkUrl(ctx, input.url);
    const changes: Partial<EndpointRow> = {};
    const changed: string[] = [];
    if (input.url !== undefined && input.url !== current.url) {
      changes.url = input.url;
      changed.push('url');
    }
    if (input.event_types !== undefined && input.event_types.join('\n') !== current.eventTypes.join('\n')) {
      changes.eventTypes = input.event_types;
      changed.push('event_types');
    }
    if (input.description !== undefined && input.description !== current.description) {
      changes.description = input.description;
      changed.push('description');
    }
    const switched = input.enabled !== undefined && input.enabled !== current.enabled;
    if (switched) Object.assign(changes, input.enabled ? { enabled: true, disabledReason: null, consecutiveFailures: 0 } : { enabled: false, disabledReason: 'requested' });
    const now = ctx.clock.now();
    if (changed.length === 0 && !switched) return toWebhookResource(current, now);
    const [row] = await ctx.tx.update(webhookEndpoints).set({ ...changes, updatedAt: now }).where(eq(webhookEndpoints.id, endpointId)).returning();
    const endpoint = toEndpointSnapshot(row!);
    const events: NewEvent[] = [];
    if (changed.length > 0) events.push({ type: 'webhook_endpoint.updated', subject: customerId, data: { endpoint, changed } });
    if (switched) {
      events.push(input.enabled ? { type: 'webhook_endpoint.enabled', subject: customerId, data: { endpoint } } : { type: 'webhook_endpoint.disabled', subject: customerId, data: { endpoint, reason: 'requested', consecutive_failures: row!.consecutiveFailures } });
    }
    await emit(ctx, events);
    await recordAudit(ctx, { action: 'webhook_endpoint.update', targetType: 'webhook_endpoint', targetId: endpointId, data: { customer_id: customerId, changed: switched ? [...changed, 'enabled'] : changed } });
    return toWebhookResource(row!, now);
  });
}

import { eq } from 'drizzle-orm';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import type { WebhookResource } from './contract.ts';
import { loadEndpoint } from './load.ts';
import { toEndpointSnapshot, toWebhookResource } from './present.ts';

/** Deletes an endpoint with its deliveries and their log: nothing more is sent to it. Emits `webhook_endpoint.deleted`. */
export function deleteWebhook(ctx: Ctx, customerId: string, endpointId: string): Promise<WebhookResource> {
  return withTransaction(ctx, async (ctx) => {
    const row = await loadEndpoint(ctx, customerId, endpointId);
    await ctx.tx.delete(webhookAttempts).where(eq(webhookAttempts.endpointId, endpointId));
    await ctx.tx.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));
    await ctx.tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
    await emit(ctx, [{ type: 'webhook_endpoint.deleted', subject: customerId, data: { endpoint: toEndpointSnapshot(row) } }]);
    await recordAudit(ctx, { action: 'webhook_endpoint.delete', targetType: 'webhook_endpoint', targetId: endpointId, data: { customer_id: customerId } });
    return toWebhookResource(row, ctx.clock.now());
  });
}

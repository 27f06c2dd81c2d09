import { and, eq } from 'drizzle-orm';
import { webhookDeliveries } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { conflict, notFound } from '../kernel/errors.ts';
import type { WebhookDeliveryResource } from './contract.ts';
import { loadEndpoint } from './load.ts';
import { withAttempts } from './queries.ts';

/**
 * Queues one more attempt of a delivery, whatever became of it (also one that succeeded):
 * it is `pending` and due at once, and the sender makes a single `manual` attempt (no
 * automatic retries after it). A disabled endpoint refuses (409): enable it first.
 */
export function resendDelivery(ctx: Ctx, customerId: string, endpointId: string, deliveryId: string): Promise<WebhookDeliveryResource> {
  return withTransaction(ctx, async (ctx) => {
    const endpoint = await loadEndpoint(ctx, customerId, endpointId);
    if (!endpoint.enabled) throw conflict(`webhook endpoint ${endpointId} is disabled: enable it before resending`, { field: 'enabled' });
    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .update(webhookDeliveries)
      .set({ status: 'pending', manual: true, nextAttemptAt: now, updatedAt: now })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
      .returning();
    if (!row) throw notFound('Webhook delivery', deliveryId);
    await recordAudit(ctx, { action: 'webhook_delivery.resend', targetType: 'webhook_delivery', targetId: deliveryId, data: { customer_id: customerId, endpoint_id: endpointId, event_id: row.eventId } });
    const [shown] = await withAttempts(ctx.tx, [row]);
    return shown!;
  });
}

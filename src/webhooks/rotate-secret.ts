import { eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadLiveCustomer } from '../customers/load.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import type { WebhookWithSecret } from './contract.ts';
import { loadEndpoint } from './load.ts';
import { toEndpointSnapshot, toWebhookResource } from './present.ts';
import { newWebhookSecret } from './signing.ts';

/**
 * Gives an endpoint a new signing secret, shown once in the answer. The current one keeps
 * signing too for WEBHOOKS_SECRET_OVERLAP_SECONDS (each delivery then carries both `v1=`), so
 * the receiver can switch without losing a delivery. Rotating again during an overlap ends
 * the oldest secret at once. Emits `webhook_endpoint.secret_rotated`.
 */
export function rotateWebhookSecret(ctx: Ctx, customerId: string, endpointId: string): Promise<WebhookWithSecret> {
  return withTransaction(ctx, async (ctx) => {
    await loadLiveCustomer(ctx, customerId);
    const current = await loadEndpoint(ctx, customerId, endpointId);
    const now = ctx.clock.now();
    const expiresAt = now + ctx.settings.webhooks.secretOverlapMs;
    const [row] = await ctx.tx
      .update(webhookEndpoints)
      .set({ secret: newWebhookSecret(), previousSecret: current.secret, previousSecretExpiresAt: expiresAt, updatedAt: now })
      .where(eq(webhookEndpoints.id, endpointId))
      .returning();
    await emit(ctx, [{ type: 'webhook_endpoint.secret_rotated', subject: customerId, data: { endpoint: toEndpointSnapshot(row!), previous_secret_expires_at: toIso(expiresAt) } }]);
    await recordAudit(ctx, { action: 'webhook_endpoint.rotate_secret', targetType: 'webhook_endpoint', targetId: endpointId, data: { customer_id: customerId } });
    return { ...toWebhookResource(row!, now), secret: row!.secret };
  });
}

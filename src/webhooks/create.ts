import { webhookEndpoints } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadLiveCustomer } from '../customers/load.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import type { CreateWebhookInput, WebhookWithSecret } from './contract.ts';
import { checkUrl } from './load.ts';
import { toEndpointSnapshot, toWebhookResource } from './present.ts';
import { newWebhookSecret } from './signing.ts';

/** Adds a webhook endpoint to a customer. The answer carries its signing secret, the only time it is shown. Emits `webhook_endpoint.created`. */
export function createWebhook(ctx: Ctx, customerId: string, input: CreateWebhookInput): Promise<WebhookWithSecret> {
  return withTransaction(ctx, async (ctx) => {
    await loadLiveCustomer(ctx, customerId);
    checkUrl(ctx, input.url);
    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .insert(webhookEndpoints)
      .values({
        id: newId('whe', now),
        customerId,
        url: input.url,
        description: input.description ?? null,
        eventTypes: input.event_types,
        enabled: input.enabled,
        disabledReason: input.enabled ? null : 'requested',
        secret: newWebhookSecret(),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await emit(ctx, [{ type: 'webhook_endpoint.created', subject: customerId, data: { endpoint: toEndpointSnapshot(row!) } }]);
    await recordAudit(ctx, { action: 'webhook_endpoint.create', targetType: 'webhook_endpoint', targetId: row!.id, data: { customer_id: customerId, url: input.url, event_types: input.event_types } });
    return { ...toWebhookResource(row!, now), secret: row!.secret };
  });
}

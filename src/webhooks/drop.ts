import { eq } from 'drizzle-orm';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';

/**
 * Removes every webhook endpoint of a customer being erased, with its deliveries (their
 * bodies are copies of the customer's events, personal data included) and their log:
 * nothing more is sent. Part of the erasure process; emits nothing (`customer.erased` says it).
 */
export async function dropCustomerWebhooks(ctx: TxCtx, customerId: string): Promise<void> {
  const endpoints = await ctx.tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.customerId, customerId));
  for (const { id } of endpoints) {
    await ctx.tx.delete(webhookAttempts).where(eq(webhookAttempts.endpointId, id));
    await ctx.tx.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id));
  }
  await ctx.tx.delete(webhookEndpoints).where(eq(webhookEndpoints.customerId, customerId));
}

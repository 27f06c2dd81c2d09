import { and, eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { notFound, validationError } from '../kernel/errors.ts';
import type { EndpointRow } from './present.ts';
import { webhookUrlProblem } from './url.ts';

/** An endpoint of this customer, or not_found (also for another customer's endpoint). */
export async function loadEndpoint(ctx: TxCtx, customerId: string, endpointId: string): Promise<EndpointRow> {
  const [row] = await ctx.tx.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.customerId, customerId)));
  if (!row) throw notFound('Webhook endpoint', endpointId);
  return row;
}

/** A 400 naming `url` unless the settings allow it (https; loopback only with WEBHOOKS_ALLOW_HTTP, private hosts with WEBHOOKS_ALLOW_PRIVATE). */
export function checkUrl(ctx: TxCtx, url: string): void {
  const problem = webhookUrlProblem(url, ctx.settings.webhooks);
  if (problem) throw validationError([{ field: 'url', message: problem }]);
}

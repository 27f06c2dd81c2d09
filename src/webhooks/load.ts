import { and, eq } from 'drizzle-orm';
import { webhookEndpoints } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import type { TxCtx } from '../kernel/context.ts';
import { DomainError, notFound, validationError } from '../kernel/errors.ts';
import type { EndpointRow } from './present.ts';
import { webhookUrlProblem } from './url.ts';

/** The customer, unless it is erased: an erased customer's webhooks cannot change (invalid_transition). */
export async function loadLiveCustomer(ctx: TxCtx, customerId: string) {
  const customer = await loadCustomer(ctx.tx, customerId);
  if (customer.status === 'erased') throw new DomainError('invalid_transition', `customer ${customerId} is erased`, { current_status: customer.status });
  return customer;
}

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

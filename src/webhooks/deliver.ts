import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { outbox, webhookAttempts, webhookDeliveries, webhookEndpoints } from '../../db/schema/index.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import { overlapEnd, toEndpointSnapshot, type DeliveryRow, type EndpointRow } from './present.ts';
import { signatureHeader } from './signing.ts';
import type { WebhookAnswer, WebhookTransport } from './transport.ts';

export interface DeliverOptions {
  batchSize?: number;
}

/** What one attempt came to. */
interface Outcome {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** The generic reason the customer's delivery log shows: `answered HTTP 500`, `address not allowed`, `connection failed`, `timeout`. */
  error: string | null;
  /** What the transport saw (the resolver's answer, the socket's error), for the platform's log only. */
  detail?: string;
}

/**
 * Sends due webhook deliveries once, with the settings in `ctx.settings.webhooks`. Each is
 * claimed with a lease (the timeout and some), signed, POSTed, and its attempt recorded:
 * a 2xx answer makes it `succeeded`; anything else (another status, a redirect, a timeout,
 * no connection) is retried with exponential backoff until the last attempt makes it
 * `failed`. Failed attempts in a row are counted per endpoint; at the limit the endpoint
 * is disabled (`webhook_endpoint.disabled`, which the notifications worker tells the
 * customer's owner about). Returns how many deliveries it attempted.
 */
export async function deliverDue(ctx: Ctx, transport: WebhookTransport, options: DeliverOptions = {}): Promise<number> {
  const settings = ctx.settings.webhooks;
  const now = ctx.clock.now();
  const leaseMs = settings.timeoutMs + 30_000;
  const isDue = and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now));
  const due = await ctx.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(isDue, eq(webhookEndpoints.enabled, true)))
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(options.batchSize ?? 10);
  if (due.length === 0) return 0;
  const claimed = await ctx.transactor.write((tx) =>
    tx
      .update(webhookDeliveries)
      .set({ nextAttemptAt: now + leaseMs })
      .where(and(inArray(webhookDeliveries.id, due.map((d) => d.id)), isDue))
      .returning(),
  );
  for (const delivery of claimed) {
    const [endpoint] = await ctx.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId));
    if (!endpoint?.enabled) continue; // disabled or deleted since: nothing to send to
    const outcome = await attempt(ctx, endpoint, delivery, transport);
    await settle(ctx, endpoint, delivery, outcome);
    if (!outcome.ok) {
      // The request behind the event, read only for this line (a failure is rare; a success logs nothing).
      const [origin] = await ctx.db.select({ requestId: outbox.requestId }).from(outbox).where(eq(outbox.id, delivery.eventId));
      ctx.logger.warn('webhook not delivered', { id: delivery.id, endpoint_id: endpoint.id, event_id: delivery.eventId, request_id: origin?.requestId ?? delivery.eventId, status: outcome.statusCode, error: outcome.error, detail: outcome.detail });
    }
  }
  return claimed.length;
}

/**
 * One signed POST of the delivery's body to the endpoint through the transport, which checks
 * the address it connects to (unless WEBHOOKS_ALLOW_PRIVATE), bounded by WEBHOOKS_TIMEOUT_MS.
 */
async function attempt(ctx: Ctx, endpoint: EndpointRow, delivery: DeliveryRow, transport: WebhookTransport): Promise<Outcome> {
  const now = ctx.clock.now();
  const secrets = overlapEnd(endpoint, now) === null ? [endpoint.secret] : [endpoint.secret, endpoint.previousSecret!];
  const headers = {
    'Content-Type': 'application/cloudevents+json; charset=utf-8',
    'User-Agent': 'SubscriptionPlatform-Webhooks/1',
    'Webhook-Id': delivery.id,
    'Webhook-Signature': await signatureHeader(secrets, now, delivery.payload),
  };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ctx.settings.webhooks.timeoutMs);
  const started = performance.now();
  let answer: WebhookAnswer;
  try {
    answer = await transport({ url: endpoint.url, headers, body: delivery.payload, signal: controller.signal, allowPrivate: ctx.settings.webhooks.allowPrivate });
  } catch (error) {
    answer = { failed: 'connection_failed', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
  const durationMs = elapsed(started);
  if ('status' in answer) {
    const ok = answer.status >= 200 && answer.status < 300;
    return { ok, statusCode: answer.status, durationMs, error: ok ? null : `answered HTTP ${answer.status}` };
  }
  const reason = answer.failed === 'address_not_allowed' ? 'address not allowed' : controller.signal.aborted ? 'timeout' : 'connection failed';
  return { ok: false, statusCode: null, durationMs, error: reason, detail: answer.detail };
}

const elapsed = (started: number) => Math.max(0, Math.round(performance.now() - started));

/** Records the attempt, moves the delivery on and counts the endpoint's failures, in one transaction. */
async function settle(ctx: Ctx, endpoint: EndpointRow, delivery: DeliveryRow, outcome: Outcome): Promise<void> {
  const settings = ctx.settings.webhooks;
  await withTransaction(ctx, async (ctx) => {
    const at = ctx.clock.now();
    const attempts = delivery.attempts + 1;
    // Still ours: if the lease ran out and another sender claimed it, that one settles it.
    const stillOurs = and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, 'pending'), eq(webhookDeliveries.nextAttemptAt, delivery.nextAttemptAt!));
    const lastAttempt = delivery.manual || attempts >= settings.maxAttempts;
    const next = outcome.ok
      ? { status: 'succeeded' as const, nextAttemptAt: null }
      : lastAttempt
        ? { status: 'failed' as const, nextAttemptAt: null }
        : { status: 'pending' as const, nextAttemptAt: at + settings.backoffMs * 2 ** (attempts - 1) };
    const marked = await ctx.tx
      .update(webhookDeliveries)
      .set({ ...next, attempts, manual: false, lastStatusCode: outcome.statusCode, lastError: outcome.error, lastAttemptAt: at, updatedAt: at })
      .where(stillOurs)
      .returning({ id: webhookDeliveries.id });
    if (marked.length === 0) return;
    await ctx.tx.insert(webhookAttempts).values({
      id: newId('wha', at),
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      number: attempts,
      trigger: delivery.manual ? 'manual' : 'automatic',
      at,
      statusCode: outcome.statusCode,
      durationMs: outcome.durationMs,
      error: outcome.error,
      succeeded: outcome.ok,
    });
    const [counted] = await ctx.tx
      .update(webhookEndpoints)
      .set({ consecutiveFailures: outcome.ok ? 0 : sql`${webhookEndpoints.consecutiveFailures} + 1` })
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning();
    if (!counted || outcome.ok || !counted.enabled || counted.consecutiveFailures < settings.disableAfterFailures) return;
    const [disabled] = await ctx.tx
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: 'failing', updatedAt: at })
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning();
    await emit(ctx, [{ type: 'webhook_endpoint.disabled', subject: disabled!.customerId, data: { endpoint: toEndpointSnapshot(disabled!), reason: 'failing', consecutive_failures: disabled!.consecutiveFailures } }]);
  });
}

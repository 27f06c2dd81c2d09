import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import {
  createWebhookInput,
  customerWebhooksParams,
  listDeliveriesQuery,
  listWebhooksQuery,
  updateWebhookInput,
  webhookDeliveryParams,
  webhookDeliveryResource,
  webhookParams,
  webhookResource,
  webhookWithSecret,
} from './contract.ts';
import { createWebhook } from './create.ts';
import { deleteWebhook } from './delete.ts';
import { getDelivery, getWebhook, listDeliveries, listWebhooks } from './queries.ts';
import { resendDelivery } from './resend.ts';
import { rotateWebhookSecret } from './rotate-secret.ts';
import { updateWebhook } from './update.ts';

const tags = ['Webhooks'];
const endpoint = { status: 200, description: 'The webhook endpoint', schema: webhookResource };
const delivery = { status: 200, description: 'The delivery with its attempts', schema: webhookDeliveryResource };
const URL_RULE = 'The URL must be https (http to a loopback host only with `WEBHOOKS_ALLOW_HTTP=1`); private and link-local addresses are refused.';

/** /v1/customers/:id/webhooks: a customer's webhook endpoints, their secrets and delivery log. */
export function webhookRoutes() {
  const app = new Hono<AppEnv>();
  const now = (c: { get(key: 'deps'): AppEnv['Variables']['deps'] }) => c.get('deps').clock.now();

  app.get(
    '/:id/webhooks',
    doc({ summary: "List a customer's webhook endpoints", tags, access: 'viewer', scope: 'customers:read', tenant: 'customer', success: { status: 200, description: 'A page of endpoints', schema: pageSchema(webhookResource) }, errors: [404] }),
    validate('param', customerWebhooksParams),
    validate('query', listWebhooksQuery),
    async (c) => c.json(await listWebhooks(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'), now(c))),
  );

  app.post(
    '/:id/webhooks',
    doc({
      summary: 'Add a webhook endpoint',
      description: `Events about the customer (it, its users, subscriptions, invoices, payments …) of the chosen types (\`*\` for all) are POSTed to the URL as CloudEvents JSON, signed in \`Webhook-Signature\`. The answer carries the signing \`secret\` (\`whsec_…\`), shown only here and on rotation. ${URL_RULE} Emits \`webhook_endpoint.created\`.`,
      tags,
      access: 'operator', scope: 'customers:write', tenant: 'customer', tenantFields: ['url', 'event_types', 'description', 'enabled'],
      success: { status: 201, description: 'Added, with its secret', schema: webhookWithSecret },
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', customerWebhooksParams),
    validate('json', createWebhookInput),
    (c) => runCommand(c, 201, (ctx) => createWebhook(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.get(
    '/:id/webhooks/:wid',
    doc({ summary: 'Get a webhook endpoint', description: 'Never shows the secret.', tags, access: 'viewer', scope: 'customers:read', tenant: 'customer', success: endpoint, errors: [404] }),
    validate('param', webhookParams),
    async (c) => c.json(await getWebhook(c.get('deps').db, c.req.valid('param').id, c.req.valid('param').wid, now(c))),
  );

  app.patch(
    '/:id/webhooks/:wid',
    doc({
      summary: 'Change a webhook endpoint',
      description: `URL, event types, description, or \`enabled\`: false turns it off, true turns it back on (also after it was disabled for failing) and clears its failure count. ${URL_RULE} Emits \`webhook_endpoint.updated\`, \`.enabled\` or \`.disabled\`.`,
      tags,
      access: 'operator', scope: 'customers:write', tenant: 'customer', tenantFields: ['url', 'event_types', 'description', 'enabled'],
      success: endpoint,
      errors: [404, 409],
    }),
    validate('param', webhookParams),
    validate('json', updateWebhookInput),
    (c) => runCommand(c, 200, (ctx) => updateWebhook(ctx, c.req.valid('param').id, c.req.valid('param').wid, c.req.valid('json'))),
  );

  app.delete(
    '/:id/webhooks/:wid',
    doc({ summary: 'Delete a webhook endpoint', description: 'With its deliveries and their log; nothing more is sent to it. Emits `webhook_endpoint.deleted`.', tags, access: 'operator', scope: 'customers:write', tenant: 'customer', success: endpoint, errors: [404] }),
    validate('param', webhookParams),
    (c) => runCommand(c, 200, (ctx) => deleteWebhook(ctx, c.req.valid('param').id, c.req.valid('param').wid)),
  );

  app.post(
    '/:id/webhooks/:wid/rotate-secret',
    doc({
      summary: "Rotate a webhook endpoint's secret",
      description: 'Answers the new secret (shown only here). The previous one keeps signing for `WEBHOOKS_SECRET_OVERLAP_SECONDS` (until `previous_secret_expires_at`): meanwhile each delivery carries two `v1=` signatures, one per secret. Emits `webhook_endpoint.secret_rotated`.',
      tags,
      access: 'operator', scope: 'customers:write', tenant: 'customer',
      success: { status: 200, description: 'Rotated, with the new secret', schema: webhookWithSecret },
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', webhookParams),
    (c) => runCommand(c, 200, (ctx) => rotateWebhookSecret(ctx, c.req.valid('param').id, c.req.valid('param').wid)),
  );

  app.get(
    '/:id/webhooks/:wid/deliveries',
    doc({
      summary: "A webhook endpoint's delivery log",
      description: 'Deliveries newest first (filter by `status`), each with its attempts: time, trigger (`automatic` or `manual`), response status, duration and error.',
      tags,
      access: 'viewer', scope: 'customers:read', tenant: 'customer',
      success: { status: 200, description: 'A page of deliveries', schema: pageSchema(webhookDeliveryResource) },
      errors: [404],
    }),
    validate('param', webhookParams),
    validate('query', listDeliveriesQuery),
    async (c) => c.json(await listDeliveries(c.get('deps').db, c.req.valid('param').id, c.req.valid('param').wid, c.req.valid('query'), now(c))),
  );

  app.get(
    '/:id/webhooks/:wid/deliveries/:did',
    doc({ summary: 'Get a webhook delivery', tags, access: 'viewer', scope: 'customers:read', tenant: 'customer', success: delivery, errors: [404] }),
    validate('param', webhookDeliveryParams),
    async (c) => {
      const { id, wid, did } = c.req.valid('param');
      return c.json(await getDelivery(c.get('deps').db, id, wid, did, now(c)));
    },
  );

  app.post(
    '/:id/webhooks/:wid/deliveries/:did/resend',
    doc({
      summary: 'Resend a webhook delivery',
      description: 'Queues one more attempt of any delivery, also one that succeeded: the same body, freshly signed, sent by the webhooks worker at once as a `manual` attempt (no automatic retries after it). A disabled endpoint answers 409: enable it first.',
      tags,
      access: 'operator', scope: 'customers:write', tenant: 'customer',
      success: { ...delivery, status: 202, description: 'Queued' },
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', webhookDeliveryParams),
    (c) => runCommand(c, 202, (ctx) => resendDelivery(ctx, c.req.valid('param').id, c.req.valid('param').wid, c.req.valid('param').did)),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const webhookMounts: Mount[] = [mount('/customers', webhookRoutes)];

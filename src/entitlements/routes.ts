import { Hono } from 'hono';
import { testClockTimeOf } from '../customers/clock.ts';
import { customerParams } from '../customers/contract.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { checkEntitlement } from './check.ts';
import { checkInput, checkResource, customerEntitlementsResource, overrideInput, overrideParams, overrideResource } from './contract.ts';
import { overrideEntitlement, removeEntitlementOverride } from './override.ts';
import { getCustomerEntitlements } from './queries.ts';

const tags = ['Entitlements'];
const typed =
  'Entitlements are typed: `boolean` (the feature is on; `value: false` withdraws it), `metered` (a `limit` of units per billing period; `ai_tokens` is always metered, any other type is a 400 naming `type`, and without a `limit` takes the plan\'s `included_tokens`), `static` (a `value`, e.g. seats = 10). A plan version\'s `features` are boolean entitlements; its `entitlements` win over them; a subscription\'s override wins over both.';

/** POST /v1/entitlements/check. */
export function entitlementRoutes() {
  const app = new Hono<AppEnv>();
  app.post(
    '/check',
    doc({
      summary: 'Check an entitlement',
      description: `Whether the customer's current subscription (its newest that is not canceled) may use \`feature\`: 200 either way, \`allowed\` with \`remaining\`/\`limit\` (metered) or \`value\` (static), or a refusal with \`reason\` \`no_subscription\`, \`not_entitled\` or \`limit_reached\`. With \`consume\` (metered only) the check and the usage record are one transaction: of concurrent checks for the last unit exactly one is allowed. \`ai_tokens\` are recorded as POST /v1/usage records them (\`usage.recorded\`, quotas, overage); other features emit \`feature.consumed\`. \`record_id\` (else the Idempotency-Key) makes a retried consume count once (\`duplicate: true\`). ${typed}`,
      tags,
      access: 'operator',
      scope: 'entitlements:check',
      tenant: 'body',
      tenantFields: ['customer_id', 'feature', 'consume', 'record_id', 'model'],
      success: { status: 200, description: 'Allowed or not, and why', schema: checkResource },
      errors: [404],
      idempotent: true,
    }),
    validate('json', checkInput),
    (c) => {
      const input = c.req.valid('json');
      const key = c.req.header('Idempotency-Key');
      // A check that consumes nothing writes nothing: it reads outside the writer, unless an Idempotency-Key wants its answer stored.
      if (input.consume === undefined && !c.get('idempotency')) return checkEntitlement(c.get('ctx'), input).then((answer) => c.json(answer));
      return runCommand(c, 200, (ctx) => checkEntitlement(ctx, input, key));
    },
  );
  return app;
}

/** GET /v1/customers/:id/entitlements. */
export function customerEntitlementRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/:id/entitlements',
    doc({
      summary: "Get a customer's entitlements",
      description: `The entitlements in effect for the customer's current subscription (its newest that is not canceled; \`subscription_id: null\` and none when it has none), each with its \`source\` (\`plan\` or \`override\`); metered ones with \`used\`, \`limit\`, \`remaining\` and the current period. ${typed}`,
      tags: ['Customers', ...tags],
      access: 'viewer',
      scope: 'entitlements:read',
      tenant: 'customer',
      success: { status: 200, description: 'The entitlements in effect', schema: customerEntitlementsResource },
      errors: [404],
    }),
    validate('param', customerParams),
    async (c) => {
      const { db, clock } = c.get('deps');
      const id = c.req.valid('param').id;
      // A sandbox customer's current period is the one its test clock is in.
      return c.json(await getCustomerEntitlements(db, id, (await testClockTimeOf(db, id)) ?? clock.now()));
    },
  );
  return app;
}

/** PUT/DELETE /v1/subscriptions/:id/entitlements/:feature. */
export function subscriptionEntitlementRoutes() {
  const app = new Hono<AppEnv>();
  app.put(
    '/:id/entitlements/:feature',
    doc({
      summary: 'Override an entitlement',
      description: `Sets the entitlement of \`feature\` for this subscription alone, replacing the plan version's (or adding one the plan lacks) until removed; it survives plan changes. At most 100 per subscription. A canceled subscription cannot change (409). Emits \`subscription.entitlement_overridden\`; audited. ${typed}`,
      tags: ['Subscriptions', ...tags],
      access: 'operator',
      scope: 'entitlements:write',
      // Never a tenant's: a customer's own key or user could grant itself features.
      tenant: 'none',
      success: { status: 200, description: 'The override', schema: overrideResource },
      errors: [404, 409],
    }),
    validate('param', overrideParams),
    validate('json', overrideInput),
    (c) => runCommand(c, 200, (ctx) => overrideEntitlement(ctx, c.req.valid('param').id, c.req.valid('param').feature, c.req.valid('json'))),
  );
  app.delete(
    '/:id/entitlements/:feature',
    doc({
      summary: 'Remove an entitlement override',
      description: "The plan version's entitlement of `feature` (if any) applies again. 404 when the subscription has no override of it. Answers the removed override. Emits `subscription.entitlement_override_removed`; audited.",
      tags: ['Subscriptions', ...tags],
      access: 'operator',
      scope: 'entitlements:write',
      // Never a tenant's: a customer's own key or user could grant itself features.
      tenant: 'none',
      success: { status: 200, description: 'The removed override', schema: overrideResource },
      errors: [404],
    }),
    validate('param', overrideParams),
    (c) => runCommand(c, 200, (ctx) => removeEntitlementOverride(ctx, c.req.valid('param').id, c.req.valid('param').feature)),
  );
  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const entitlementMounts: Mount[] = [mount('/customers', customerEntitlementRoutes), mount('/subscriptions', subscriptionEntitlementRoutes), mount('/entitlements', entitlementRoutes)];

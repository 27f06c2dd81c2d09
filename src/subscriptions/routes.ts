import { Hono } from 'hono';
import { customerParams } from '../customers/contract.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { cancelSubscription } from './cancel.ts';
import { attachAddOn, removeAddOn } from './add-ons.ts';
import { changePlan } from './change-plan.ts';
import { changeSeats } from './change-seats.ts';
import { getSubscription, listAddOns, listAdjustments, listCustomerSubscriptions, listSubscriptions } from './queries.ts';
import {
  addOnParams,
  addOnResource,
  adjustmentResource,
  attachAddOnInput,
  changeSeatsInput,
  listAddOnsQuery,
  cancelSubscriptionInput,
  changePlanInput,
  listAdjustmentsQuery,
  listCustomerSubscriptionsQuery,
  listSubscriptionsQuery,
  subscriptionParams,
  subscriptionResource,
} from './contract.ts';

const tags = ['Subscriptions'];
const subscription = { status: 200, description: 'The subscription', schema: subscriptionResource };
const page = { status: 200, description: 'A page of subscriptions', schema: pageSchema(subscriptionResource) };
const proration =
  'Proration at the change time `t` within the period [start, end): credit = −round_half_up(old_price × (end − t) / (end − start)), charge = +round_half_up(new_price × (end − t) / (end − start)), in integer minor units and milliseconds, each rounded half away from zero on its own.';

/** /v1/subscriptions: a customer on one version of a plan, with its lifecycle and proration lines (created by billing's POST). */
export function subscriptionRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/',
    doc({ summary: 'List subscriptions', description: 'Newest first; filter by `status`, `customer_id` or `plan_id`. Pass `next_cursor` back as `cursor`.', tags, access: 'viewer', scope: 'subscriptions:read', tenant: 'list', success: page }),
    validate('query', listSubscriptionsQuery),
    async (c) => c.json(await listSubscriptions(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/:id',
    doc({ summary: 'Get a subscription', description: 'The subscription with its current period. `billing_error` is set while the billing pass cannot move it over a boundary (e.g. `amount_out_of_range`): the other subscriptions bill meanwhile, it is retried at `retry_at`, and `subscription.billing_failed` told of it once.', tags, access: 'viewer', scope: 'subscriptions:read', tenant: 'subscription', success: subscription, errors: [404] }),
    validate('param', subscriptionParams),
    async (c) => c.json(await getSubscription(c.get('deps').db, c.req.valid('param').id)),
  );

  app.post(
    '/:id/cancel',
    doc({
      summary: 'Cancel a subscription',
      description: 'Cancels now (→ `canceled`), or with `at_period_end: true` sets `cancel_at_period_end` so it ends with its current period. A canceled subscription, or a second `at_period_end`, is a 409. Emits `subscription.canceled` (with `at_period_end` and `effective_at`).',
      tags,
      access: 'operator',
      scope: 'subscriptions:write',
      tenant: 'subscription',
      tenantFields: ['at_period_end'],
      success: subscription,
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', subscriptionParams),
    validate('json', cancelSubscriptionInput),
    (c) => runCommand(c, 200, (ctx) => cancelSubscription(ctx, c.req.valid('param').id, c.req.valid('json') ?? {})),
  );

  app.post(
    '/:id/change-plan',
    doc({
      summary: 'Change the plan of a subscription',
      description: `Moves the subscription to another active plan's current version, priced in the subscription's currency (409 \`currency_mismatch\` naming \`plan_id\` otherwise) and with the same interval (409 otherwise); anchor and period stay. ${proration} The prices are the fee plus the seats (seats × each version's seat price). The lines wait in \`/adjustments\` for the next invoice; a trialing subscription gets none. The period's overage is billed at the new plan's price: a price that would take it past one charge's ceiling (10^12 minor units) is 422 \`amount_out_of_range\` naming \`plan_id\`. Emits \`subscription.plan_changed\`.`,
      tags,
      access: 'operator',
      scope: 'subscriptions:write',
      tenant: 'subscription',
      tenantFields: ['plan_id'],
      success: subscription,
      errors: [404, 409, 422],
      idempotent: true,
    }),
    validate('param', subscriptionParams),
    validate('json', changePlanInput),
    (c) => runCommand(c, 200, (ctx) => changePlan(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.post(
    '/:id/seats',
    doc({
      summary: "Change a subscription's seats",
      description: `Sets its licensed seats (1 to 1,000,000). Every invoice that bills a period's fee carries a \`seats\` line: seats × the seat price of the subscription's currency (the plan version's, or a negotiated one), none at seat price 0. Mid-period the difference is prorated as a plan change is, one line: more seats a \`proration_charge\` of added seats × seat price, fewer a \`proration_credit\` of removed seats × seat price. ${proration} The line waits in \`/adjustments\` for the next invoice; a trialing subscription gets none. The seats it already has change nothing. A canceled subscription is a 409; a period's seats past one charge's ceiling (10^12 minor units) are 422 \`amount_out_of_range\` naming \`seats\`. Emits \`subscription.seats_changed\`.`,
      tags,
      access: 'operator',
      scope: 'subscriptions:write',
      tenant: 'subscription',
      tenantFields: ['seats'],
      success: subscription,
      errors: [404, 409, 422],
      idempotent: true,
    }),
    validate('param', subscriptionParams),
    validate('json', changeSeatsInput),
    (c) => runCommand(c, 200, (ctx) => changeSeats(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.post(
    '/:id/add-ons',
    doc({
      summary: 'Attach an add-on',
      description: `Attaches \`quantity\` (default 1) × \`unit_amount\` minor units of the subscription's currency per period: every invoice that bills a period's fee carries an \`add_on\` line for it (\`source_id\` = the add-on). Mid-period the rest of the period is prorated (a \`proration_charge\`; none while trialing). ${proration} One active add-on per \`code\` (409 naming \`code\`); a canceled subscription is a 409. Operators only: tenants get 404. Emits \`subscription.add_on_attached\`.`,
      tags,
      access: 'operator',
      scope: 'subscriptions:write',
      // It sets a price: the operator's alone.
      tenant: 'none',
      success: { status: 201, description: 'The add-on', schema: addOnResource },
      errors: [404, 409, 422],
      idempotent: true,
    }),
    validate('param', subscriptionParams),
    validate('json', attachAddOnInput),
    (c) => runCommand(c, 201, (ctx) => attachAddOn(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.get(
    '/:id/add-ons',
    doc({ summary: "List a subscription's add-ons", description: 'Oldest first, removed ones too (`removed_at` set). Pass `next_cursor` back as `cursor`.', tags, access: 'viewer', scope: 'subscriptions:read', tenant: 'subscription', success: { status: 200, description: 'A page of add-ons', schema: pageSchema(addOnResource) }, errors: [404] }),
    validate('param', subscriptionParams),
    validate('query', listAddOnsQuery),
    async (c) => c.json(await listAddOns(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'))),
  );

  app.delete(
    '/:id/add-ons/:addOnId',
    doc({
      summary: 'Remove an add-on',
      description: `Sets \`removed_at\`: later invoices no longer bill it, and the rest of the current period is credited (a \`proration_credit\`; none while trialing). ${proration} Removing one already removed answers it unchanged. A canceled subscription is a 409. Operators only: tenants get 404. Emits \`subscription.add_on_removed\`.`,
      tags,
      access: 'operator',
      scope: 'subscriptions:write',
      tenant: 'none',
      success: { status: 200, description: 'The removed add-on', schema: addOnResource },
      errors: [404, 409],
    }),
    validate('param', addOnParams),
    (c) => runCommand(c, 200, (ctx) => removeAddOn(ctx, c.req.valid('param').id, c.req.valid('param').addOnId)),
  );

  app.get(
    '/:id/adjustments',
    doc({ summary: "List a subscription's adjustments", description: `Proration lines waiting for (or taken by) an invoice, oldest first; amounts are signed minor units, credits negative. ${proration}`, tags, access: 'viewer', scope: 'subscriptions:read', tenant: 'subscription', success: { status: 200, description: 'A page of adjustments', schema: pageSchema(adjustmentResource) }, errors: [404] }),
    validate('param', subscriptionParams),
    validate('query', listAdjustmentsQuery),
    async (c) => c.json(await listAdjustments(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'))),
  );

  return app;
}

/** /v1/customers/:id/subscriptions. */
export function customerSubscriptionRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/:id/subscriptions',
    doc({ summary: "List a customer's subscriptions", description: 'Newest first; filter by `status`. Pass `next_cursor` back as `cursor`.', tags: ['Customers', ...tags], access: 'viewer', scope: 'subscriptions:read', tenant: 'customer', success: page, errors: [404] }),
    validate('param', customerParams),
    validate('query', listCustomerSubscriptionsQuery),
    async (c) => c.json(await listCustomerSubscriptions(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'))),
  );
  return app;
}

/** Where these routes hang under /v1. Creating a subscription is billing's verb, routed beside it (src/billing/routes/subscribe.ts). */
export const subscriptionMounts: Mount[] = [mount('/customers', customerSubscriptionRoutes), mount('/subscriptions', subscriptionRoutes)];

import { Hono } from 'hono';
import { collectionSettings } from '../billing/collection-settings.ts';
import { subscribeWrite } from '../billing/subscribe.ts';
import { customerParams } from '../customers/contract.ts';
import { runCommand } from '../http/command.ts';
import { runSaga } from '../http/saga.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { cancelSubscription } from './cancel.ts';
import { changePlan } from './change-plan.ts';
import { getSubscription, listAdjustments, listCustomerSubscriptions, listSubscriptions } from './queries.ts';
import {
  adjustmentResource,
  cancelSubscriptionInput,
  changePlanInput,
  createSubscriptionInput,
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

/** /v1/subscriptions: a customer on one version of a plan, with its lifecycle and proration lines. */
export function subscriptionRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    doc({
      summary: 'Create a subscription',
      description:
        'Subscribes a customer (not deactivated or erased) to an active plan at its current version, anchored at now, in the customer\'s currency: its first subscription sets it (`currency`, else the plan\'s default currency); later ones must keep it and use a plan priced in it (409 `currency_mismatch` naming `currency` or `plan_id`). A customer holds one live (not canceled) subscription unless an operator raised its `max_subscriptions` (PATCH /v1/customers/{id}); one more is 409 `subscription_exists` naming the newest live one in `subscription_id` (change its plan instead). A plan\'s trial is had once per customer: when an earlier subscription of the customer to the plan (canceled too) had one, `trial` omitted starts without it, and `trial: true` is 409 `trial_used` naming that subscription. With the plan\'s `trial_days` > 0 (and the trial not refused or used) it starts `trialing` until `trial_end`; otherwise `incomplete` until its first payment, with its first invoice drafted at once and, when it is finalized at once (no review window) with something due, collected in the request with the customer\'s payment method (an automatic attempt: a decline is dunned), so the answer is `active` once it is paid. With `coupon` (a code) the coupon is redeemed on it, discounting its invoices (see `POST /v1/subscriptions/{id}/discount` for the refusals, 400/409 naming `coupon`; a refusal creates nothing). Emits `subscription.created` and, with a trial, `subscription.trial_started`; with a coupon, `discount.applied`.',
      tags,
      access: 'operator',
      scope: 'subscriptions:write',
      tenant: 'body',
      tenantFields: ['customer_id', 'plan_id'],
      success: { ...subscription, status: 201, description: 'Created' },
      errors: [404, 409],
      idempotent: true,
    }),
    validate('json', createSubscriptionInput),
    (c) => runSaga(c, 201, subscribeWrite(c.req.valid('json'), collectionSettings(c.get('ctx'), c.get('deps').payments))),
  );

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
      description: `Moves the subscription to another active plan's current version, priced in the subscription's currency (409 \`currency_mismatch\` naming \`plan_id\` otherwise) and with the same interval (409 otherwise); anchor and period stay. ${proration} The lines wait in \`/adjustments\` for the next invoice; a trialing subscription gets none. The period's overage is billed at the new plan's price: a price that would take it past one charge's ceiling (10^12 minor units) is 422 \`amount_out_of_range\` naming \`plan_id\`. Emits \`subscription.plan_changed\`.`,
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

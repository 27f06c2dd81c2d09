import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import { doc } from '../../http/openapi.ts';
import { runSaga } from '../../http/saga.ts';
import { validate } from '../../http/validate.ts';
import { createSubscriptionInput, subscriptionResource } from '../../subscriptions/contract.ts';
import { collectionSettings } from '../collection-settings.ts';
import { subscribeWrite } from '../subscribe.ts';

/**
 * POST /v1/subscriptions: subscribing is billing's verb (it drafts and may collect the first
 * invoice), so its route sits here; the subscription's other routes are the subscriptions'.
 */
export function subscribeRoutes() {
  const app = new Hono<AppEnv>();
  app.post(
    '/',
    doc({
      summary: 'Create a subscription',
      description:
        'Subscribes a customer (not deactivated or erased) to an active plan at its current version, anchored at now, in the customer\'s currency: its first subscription sets it (`currency`, else the plan\'s default currency); later ones must keep it and use a plan priced in it (409 `currency_mismatch` naming `currency` or `plan_id`). A customer holds one live (not canceled) subscription unless an operator raised its `max_subscriptions` (PATCH /v1/customers/{id}); one more is 409 `subscription_exists` naming the newest live one in `subscription_id` (change its plan instead). A plan\'s trial is had once per customer: when an earlier subscription of the customer to the plan (canceled too) had one, `trial` omitted starts without it, and `trial: true` is 409 `trial_used` naming that subscription. With the plan\'s `trial_days` > 0 (and the trial not refused or used) it starts `trialing` until `trial_end`; otherwise `incomplete` until its first payment, with its first invoice drafted at once and, when it is finalized at once (no review window) with something due, collected in the request with the customer\'s payment method (an automatic attempt: a decline is dunned), so the answer is `active` once it is paid. `seats` (1 to 1,000,000, default 1) are its licensed seats: each invoice billing a period\'s fee carries a `seats` line of seats × the plan version\'s seat price in the subscription\'s currency (none at seat price 0); a period\'s seats past one charge\'s ceiling are 422 `amount_out_of_range` naming `seats`. With `coupon` (a code) the coupon is redeemed on it, discounting its invoices (see `POST /v1/subscriptions/{id}/discount` for the refusals, 400/409 naming `coupon`; a refusal creates nothing). Emits `subscription.created` and, with a trial, `subscription.trial_started`; with a coupon, `discount.applied`.',
      tags: ['Subscriptions'],
      access: 'operator',
      scope: 'subscriptions:write',
      tenant: 'body',
      tenantFields: ['customer_id', 'plan_id', 'seats'],
      success: { status: 201, description: 'Created', schema: subscriptionResource },
      errors: [404, 409, 422],
      idempotent: true,
    }),
    validate('json', createSubscriptionInput),
    (c) => runSaga(c, 201, subscribeWrite(c.req.valid('json'), collectionSettings(c.get('ctx'), c.get('deps').payments))),
  );
  return app;
}

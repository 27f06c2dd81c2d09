import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { subscriptionParams } from '../subscriptions/contract.ts';
import { createUsageThresholdInput, listUsageThresholdsQuery, minimumSpendResource, setMinimumSpendInput, usageThresholdParams, usageThresholdResource } from './contract.ts';
import { createUsageThreshold } from './create.ts';
import { deleteUsageThreshold } from './delete.ts';
import { getMinimumSpend, setMinimumSpend } from './minimum-spend.ts';
import { listUsageThresholds } from './queries.ts';

const tags = ['Subscriptions', 'Usage'];
const threshold = { status: 200, description: 'The usage threshold', schema: usageThresholdResource };
const write = { access: 'operator', scope: 'subscriptions:write', tenant: 'subscription' } as const;
const ownThresholds =
  "A tenant (the subscription's customer's key or user) sets alerts only (`metric`, `value`; `invoice_early` is the operator's) and deletes only the thresholds it set (`set_by: customer`); one an operator set is a 403.";
const metrics =
  '`tokens` is the period\'s used tokens; `amount` its billable amount to date in minor units of the subscription\'s currency: the fee + round_half_up(overage tokens × price per 1,000 / 1000), 0 in a trial.';

/** /v1/subscriptions/:id/usage-thresholds and /v1/subscriptions/:id/minimum-spend. */
export function usageThresholdRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/:id/usage-thresholds',
    doc({
      summary: 'Set a usage threshold',
      description: `${metrics} When an accepted usage record brings the period to \`value\` or past it, \`usage.threshold_reached\` is emitted once for the threshold and period. With \`invoice_early\`, the billing worker then drafts and finalizes a \`threshold\` invoice of the period's overage not yet invoiced (progressive billing); the period-end invoice bills only the rest, and together they bill exactly what one invoice would. A canceled subscription is a 409. ${ownThresholds} Emits \`usage_threshold.created\`.`,
      tags,
      ...write,
      tenantFields: ['metric', 'value'],
      success: { ...threshold, status: 201, description: 'Created' },
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', subscriptionParams),
    validate('json', createUsageThresholdInput),
    (c) => runCommand(c, 201, (ctx) => createUsageThreshold(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.get(
    '/:id/usage-thresholds',
    doc({ summary: "List a subscription's usage thresholds", description: `Thresholds not deleted, oldest first. ${metrics}`, tags, access: 'viewer', scope: 'subscriptions:read', tenant: 'subscription', success: { status: 200, description: 'A page of usage thresholds', schema: pageSchema(usageThresholdResource) }, errors: [404] }),
    validate('param', subscriptionParams),
    validate('query', listUsageThresholdsQuery),
    async (c) => c.json(await listUsageThresholds(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'))),
  );

  app.delete(
    '/:id/usage-thresholds/:tid',
    doc({ summary: 'Delete a usage threshold', description: `It fires no more; early invoices it caused stay. ${ownThresholds} Emits \`usage_threshold.deleted\`.`, tags, ...write, success: threshold, errors: [404] }),
    validate('param', usageThresholdParams),
    (c) => runCommand(c, 200, (ctx) => deleteUsageThreshold(ctx, c.req.valid('param').id, c.req.valid('param').tid)),
  );

  app.get(
    '/:id/minimum-spend',
    doc({ summary: "Get a subscription's minimum spend", description: "Minor units of the subscription's currency per period; 0 when none is set.", tags, access: 'viewer', scope: 'subscriptions:read', tenant: 'subscription', success: { status: 200, description: 'The minimum spend', schema: minimumSpendResource }, errors: [404] }),
    validate('param', subscriptionParams),
    async (c) => c.json(await getMinimumSpend(c.get('deps').db, c.req.valid('param').id)),
  );

  app.put(
    '/:id/minimum-spend',
    doc({
      summary: 'Set the minimum spend per period',
      description:
        "`amount` in minor units of the subscription's currency; 0 clears it. At each period's end, when the period's spend (its fee, seats and add-ons + its whole overage charge, before tax; prorations and discounts not counted) is below the minimum, the period-end invoice gets a `minimum_spend_true_up` line for the difference. The minimum in force when that invoice is drafted applies. A canceled subscription is a 409. Operators only: tenants get 404. Emits `subscription.minimum_spend_set`.",
      tags,
      ...write,
      // What the customer owes at least: the operator's alone.
      tenant: 'none',
      success: { status: 200, description: 'The minimum spend', schema: minimumSpendResource },
      errors: [404, 409],
    }),
    validate('param', subscriptionParams),
    validate('json', setMinimumSpendInput),
    (c) => runCommand(c, 200, (ctx) => setMinimumSpend(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const usageThresholdMounts: Mount[] = [mount('/subscriptions', usageThresholdRoutes)];

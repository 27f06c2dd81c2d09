import { Hono } from 'hono';
import { testClockTimeOf } from '../customers/clock.ts';
import { customerParams } from '../customers/contract.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { suggestionsResource } from './contract.ts';
import { suggestPlan } from './suggest.ts';

/** /v1/customers/:id/suggestions: the plan that would have cost the customer least. */
export function suggestionRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/:id/suggestions',
    doc({
      summary: 'Suggest a cheaper plan',
      description:
        "For the customer's live subscription: the active plan in the same currency and interval that would have cost least over its last three ended billing periods (fewer when it has had fewer; a trial is not one), each period at that plan's current terms: fee + round_half_up(overage tokens × overage price per 1,000 / 1000); a `block` plan including fewer tokens than a period used cannot serve it. `current_cost` is what the subscription's own plan version charges for the same usage (prorations left out). Per period and in total: `current_cost`, `suggested_cost`, `saving`, in minor units of `currency`. `suggested_plan` is null when no plan costs less. After each renewal the `suggestions` worker emits `customer.plan_suggested` when the saving reaches SUGGESTION_MIN_SAVING_BPS of the current cost.",
      tags: ['Customers'],
      access: 'viewer',
      scope: 'customers:read',
      tenant: 'customer',
      success: { status: 200, description: 'The suggestion', schema: suggestionsResource },
      errors: [404],
    }),
    validate('param', customerParams),
    async (c) => {
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      // A sandbox customer's periods end by its test clock's time, not the wall clock's.
      return c.json(await suggestPlan(db, id, (await testClockTimeOf(db, id)) ?? clock.now()));
    },
  );
  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const suggestionMounts: Mount[] = [mount('/customers', suggestionRoutes)];

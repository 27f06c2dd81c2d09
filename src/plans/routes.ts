import { Hono } from 'hono';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { archivePlan } from './archive.ts';
import { createPlan } from './create.ts';
import { getPlan, listPlans, listPlanVersions } from './queries.ts';
import { createPlanInput, getPlanQuery, listPlansQuery, listPlanVersionsQuery, planParams, planResource, updatePlanInput } from './contract.ts';
import { updatePlan } from './update.ts';

const tags = ['Plans'];
const plan = { status: 200, description: 'The plan', schema: planResource };
/** Documented once for create and update. */
const entitled = '`entitlements` are typed (`boolean`, `metered` with a `limit` per period, `static` with a `value`; `ai_tokens` without a limit takes `included_tokens`), each feature once; every string of `features` is a boolean entitlement, and an entry of `entitlements` for the same feature wins over it.';
const terms = 'Money is integer minor units of `currency` (`price_amount`, `overage_price_per_1k`); `included_tokens` are AI tokens per period; past them `quota_policy` `overage` bills per 1,000 tokens and `block` refuses usage.';

/** /v1/plans: versioned plans; archived instead of deleted. */
export function planRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    doc({ summary: 'Create a plan', description: `Creates an \`active\` plan at version 1. \`code\` is unique for good. ${terms} ${entitled} Emits \`plan.created\`.`, tags, access: 'operator', tenant: 'none', success: { ...plan, status: 201, description: 'Created' }, errors: [409], idempotent: true }),
    validate('json', createPlanInput),
    (c) => runCommand(c, 201, (ctx) => createPlan(ctx, c.req.valid('json'))),
  );

  app.get(
    '/',
    doc({ summary: 'List plans', description: 'Newest first, each at its current version; filter by `status` or `code`. Pass `next_cursor` back as `cursor`.', tags, access: 'viewer', tenant: 'none', success: { status: 200, description: 'A page of plans', schema: pageSchema(planResource) } }),
    validate('query', listPlansQuery),
    async (c) => c.json(await listPlans(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/:id',
    doc({ summary: 'Get a plan', description: 'The current version, or the one named by `?version=N` (404 when it does not exist).', tags, access: 'viewer', tenant: 'none', success: plan, errors: [404] }),
    validate('param', planParams),
    validate('query', getPlanQuery),
    async (c) => c.json(await getPlan(c.get('deps').db, c.req.valid('param').id, c.req.valid('query').version)),
  );

  app.get(
    '/:id/versions',
    doc({ summary: "List a plan's versions", description: 'Every version, oldest first; versions never change once written. Pass `next_cursor` back as `cursor`.', tags, access: 'viewer', tenant: 'none', success: { status: 200, description: 'A page of plan versions', schema: pageSchema(planResource) }, errors: [404] }),
    validate('param', planParams),
    validate('query', listPlanVersionsQuery),
    async (c) => c.json(await listPlanVersions(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'))),
  );

  app.patch(
    '/:id',
    doc({ summary: 'Update a plan', description: `Any change to the terms writes a new version, which becomes current; earlier versions stay readable for subscriptions already on them. A patch that changes nothing returns the plan without a new version. Archived plans cannot change (409). ${terms} ${entitled} Emits \`plan.updated\`.`, tags, access: 'operator', tenant: 'none', success: plan, errors: [404, 409] }),
    validate('param', planParams),
    validate('json', updatePlanInput),
    (c) => runCommand(c, 200, (ctx) => updatePlan(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.post(
    '/:id/archive',
    doc({ summary: 'Archive a plan', description: '`active` → `archived`: the plan and its versions stay readable but cannot change. Archiving twice is a 409. Emits `plan.archived`.', tags, access: 'operator', tenant: 'none', success: plan, errors: [404, 409], idempotent: true }),
    validate('param', planParams),
    (c) => runCommand(c, 200, (ctx) => archivePlan(ctx, c.req.valid('param').id)),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const planMounts: Mount[] = [mount('/plans', planRoutes)];

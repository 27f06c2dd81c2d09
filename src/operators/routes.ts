import { Hono } from 'hono';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { createOperator, prepareOperator } from './create.ts';
import { prepareOperatorPatch, updateOperator } from './update.ts';
import { getOperator, listOperators } from './queries.ts';
import { createOperatorInput, listOperatorsQuery, operatorParams, operatorResource, updateOperatorInput } from './contract.ts';

const tags = ['Operators'];
const operator = { status: 200, description: 'The operator', schema: operatorResource };

/** /v1/operators: the people who run the platform; admins only. */
export function operatorRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/',
    doc({ summary: 'List operators', tags, access: 'admin', tenant: 'none', success: { status: 200, description: 'A page of operators', schema: pageSchema(operatorResource) } }),
    validate('query', listOperatorsQuery),
    async (c) => c.json(await listOperators(c.get('deps').db, c.req.valid('query'))),
  );

  app.post(
    '/',
    doc({ summary: 'Create an operator', tags, access: 'admin', tenant: 'none', success: { ...operator, status: 201, description: 'Created' }, errors: [409], idempotent: true }),
    validate('json', createOperatorInput),
    // Hashing is slow on purpose: done before the command's transaction, which would hold every other write.
    async (c) => {
      const prepared = await prepareOperator(c.get('ctx'), c.req.valid('json'));
      return runCommand(c, 201, (ctx) => createOperator(ctx, prepared));
    },
  );

  app.get(
    '/:id',
    doc({ summary: 'Get an operator', tags, access: 'admin', tenant: 'none', success: operator, errors: [404] }),
    validate('param', operatorParams),
    async (c) => c.json(await getOperator(c.get('deps').db, c.req.valid('param').id)),
  );

  app.patch(
    '/:id',
    doc({ summary: 'Update an operator', description: 'Change name, role or password, or disable. A new password, another role or disabling ends the operator\'s existing tokens at once. The last active admin cannot be demoted or disabled (409).', tags, access: 'admin', tenant: 'none', success: operator, errors: [404, 409] }),
    validate('param', operatorParams),
    validate('json', updateOperatorInput),
    async (c) => {
      const { id } = c.req.valid('param');
      const prepared = await prepareOperatorPatch(c.get('ctx'), id, c.req.valid('json'));
      return runCommand(c, 200, (ctx) => updateOperator(ctx, id, prepared));
    },
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const operatorMounts: Mount[] = [mount('/operators', operatorRoutes)];

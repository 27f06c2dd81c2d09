import { Hono } from 'hono';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { addUser } from './add.ts';
import { changeUserRole } from './change-role.ts';
import { getUser, listUsers } from './queries.ts';
import { removeUser } from './remove.ts';
import { addUserInput, changeRoleInput, customerUserParams, customerUsersParams, listUsersQuery, userResource } from './contract.ts';
import { activateUser, deactivateUser } from './transition.ts';

const tags = ['Users'];
const user = { status: 200, description: 'The user', schema: userResource };

const transitionDoc = (summary: string, description: string) =>
  doc({ summary, description: `${description} Any other move, including to the current status, answers 409 \`invalid_transition\`; removed is final.`, tags, access: 'operator', scope: 'customers:write', tenant: 'customer', success: user, errors: [404, 409], idempotent: true });

/** /v1/customers/:id/users: the people of a customer and their roles. */
export function userRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/:id/users',
    doc({ summary: "List a customer's users", tags, access: 'viewer', scope: 'customers:read', tenant: 'customer', success: { status: 200, description: 'A page of users', schema: pageSchema(userResource) }, errors: [404] }),
    validate('param', customerUsersParams),
    validate('query', listUsersQuery),
    async (c) => c.json(await listUsers(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'))),
  );

  app.post(
    '/:id/users',
    doc({ summary: 'Add or invite a user', description: 'With `invite: true` (default) the user is `invited` and `user.invited` is emitted; otherwise the user is `active` and `user.created` is emitted.', tags, access: 'operator', scope: 'customers:write', tenant: 'customer', tenantFields: ['email', 'name', 'role', 'invite'], success: { ...user, status: 201, description: 'Added' }, errors: [404, 409], idempotent: true }),
    validate('param', customerUsersParams),
    validate('json', addUserInput),
    (c) => runCommand(c, 201, (ctx) => addUser(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.get(
    '/:id/users/:userId',
    doc({ summary: 'Get a user', description: 'The user in any status: `invited`, `active`, `deactivated` or `removed`.', tags, access: 'viewer', scope: 'customers:read', tenant: 'customer', success: user, errors: [404] }),
    validate('param', customerUserParams),
    async (c) => c.json(await getUser(c.get('deps').db, c.req.valid('param').id, c.req.valid('param').userId)),
  );

  app.post(
    '/:id/users/:userId/activate',
    transitionDoc('Activate a user', '`invited` (the user accepted) or `deactivated` → `active`. Emits `user.activated`.'),
    validate('param', customerUserParams),
    (c) => runCommand(c, 200, (ctx) => activateUser(ctx, c.req.valid('param').id, c.req.valid('param').userId)),
  );

  app.post(
    '/:id/users/:userId/deactivate',
    transitionDoc('Deactivate a user', '`active` → `deactivated`; the last active owner cannot be deactivated (409 `conflict`). Emits `user.deactivated`.'),
    validate('param', customerUserParams),
    (c) => runCommand(c, 200, (ctx) => deactivateUser(ctx, c.req.valid('param').id, c.req.valid('param').userId)),
  );

  app.patch(
    '/:id/users/:userId',
    doc({ summary: "Change a user's role", description: 'A customer always keeps one active owner (invited and deactivated owners do not count): demoting the last one answers 409. Emits `user.role_changed`.', tags, access: 'operator', scope: 'customers:write', tenant: 'customer', tenantFields: ['role'], success: user, errors: [404, 409] }),
    validate('param', customerUserParams),
    validate('json', changeRoleInput),
    (c) => runCommand(c, 200, (ctx) => changeUserRole(ctx, c.req.valid('param').id, c.req.valid('param').userId, c.req.valid('json').role)),
  );

  app.delete(
    '/:id/users/:userId',
    doc({ summary: 'Remove a user', description: 'The last active owner cannot be removed (409). Emits `user.removed`.', tags, access: 'operator', scope: 'customers:write', tenant: 'customer', success: user, errors: [404, 409] }),
    validate('param', customerUserParams),
    (c) => runCommand(c, 200, (ctx) => removeUser(ctx, c.req.valid('param').id, c.req.valid('param').userId)),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const userMounts: Mount[] = [mount('/customers', userRoutes)];

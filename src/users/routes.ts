import { and, desc, eq, lt, ne } from 'drizzle-orm';
import { Hono } from 'hono';
import { users } from '../../db/schema/index.ts';
import { loadCustomer } from '../customers/load.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { decodeCursor, pageSchema, toPage } from '../http/pagination.ts';
import { validate } from '../http/validate.ts';
import { addUser, changeUserRole, removeUser } from './commands.ts';
import { toUserResource } from './present.ts';
import { addUserInput, changeRoleInput, customerUserParams, customerUsersParams, listUsersQuery, userResource } from './schema.ts';

const tags = ['Users'];
const user = { status: 200, description: 'The user', schema: userResource };

/** /v1/customers/:id/users: the people of a customer and their roles. */
export function userRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/:id/users',
    doc({ summary: "List a customer's users", tags, access: 'viewer', success: { status: 200, description: 'A page of users', schema: pageSchema(userResource) }, errors: [404] }),
    validate('param', customerUsersParams),
    validate('query', listUsersQuery),
    async (c) => {
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      await loadCustomer(db, id);
      const after = decodeCursor(query.cursor, 'string');
      const rows = await db
        .select()
        .from(users)
        .where(and(eq(users.customerId, id), ne(users.status, 'removed'), after ? lt(users.id, after) : undefined))
        .orderBy(desc(users.id))
        .limit(query.limit + 1);
      return c.json(toPage(rows, query.limit, (r) => r.id, toUserResource));
    },
  );

  app.post(
    '/:id/users',
    doc({ summary: 'Add or invite a user', description: 'With `invite: true` (default) the user is `invited` and `user.invited` is emitted; otherwise the user is `active` and `user.created` is emitted.', tags, access: 'operator', success: { ...user, status: 201, description: 'Added' }, errors: [404, 409], idempotent: true }),
    validate('param', customerUsersParams),
    validate('json', addUserInput),
    (c) => runCommand(c, 201, (ctx) => addUser(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.patch(
    '/:id/users/:userId',
    doc({ summary: "Change a user's role", description: 'A customer always keeps one owner: demoting the last owner answers 409. Emits `user.role_changed`.', tags, access: 'operator', success: user, errors: [404, 409] }),
    validate('param', customerUserParams),
    validate('json', changeRoleInput),
    (c) => runCommand(c, 200, (ctx) => changeUserRole(ctx, c.req.valid('param').id, c.req.valid('param').userId, c.req.valid('json').role)),
  );

  app.delete(
    '/:id/users/:userId',
    doc({ summary: 'Remove a user', description: 'The last owner cannot be removed (409). Emits `user.removed`.', tags, access: 'operator', success: user, errors: [404, 409] }),
    validate('param', customerUserParams),
    (c) => runCommand(c, 200, (ctx) => removeUser(ctx, c.req.valid('param').id, c.req.valid('param').userId)),
  );

  return app;
}

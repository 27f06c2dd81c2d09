import * as v from 'valibot';
import { userRoles, userStatuses } from '../../db/schema/index.ts';
import { name, customerId } from '../customers/contract.ts';
import { email } from '../kernel/email.ts';
import { pageQuery } from '../../db/paging.ts';
import { oneOf } from '../kernel/one-of.ts';

const role = oneOf(userRoles);

export const customerUsersParams = v.object({ id: customerId });
export const customerUserParams = v.object({
  id: customerId,
  userId: v.pipe(v.string(), v.regex(/^usr_[0-9A-Z]{26}$/, 'must be a user id (usr_…)')),
});

export const addUserInput = v.strictObject({
  email,
  name: v.optional(name),
  role,
  /** true: the user is invited and must accept (status `invited`, `user.invited`); false: created active. */
  invite: v.optional(v.boolean(), true),
});
export type AddUserInput = v.InferOutput<typeof addUserInput>;

export const changeRoleInput = v.strictObject({ role });
export type ChangeRoleInput = v.InferOutput<typeof changeRoleInput>;

export const listUsersQuery = v.object({ ...pageQuery });
export type ListUsersQuery = v.InferOutput<typeof listUsersQuery>;

export const userResource = v.object({
  id: v.string(),
  object: v.literal('user'),
  customer_id: v.string(),
  email: v.nullable(v.string()),
  name: v.nullable(v.string()),
  role,
  status: v.picklist(userStatuses),
  created_at: v.string(),
  updated_at: v.string(),
});
export type UserResource = v.InferOutput<typeof userResource>;

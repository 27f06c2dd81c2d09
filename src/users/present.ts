import type { InferSelectModel } from 'drizzle-orm';
import type { users } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import type { UserResource } from './contract.ts';

export type UserRow = InferSelectModel<typeof users>;

/** The API shape of a customer's user. */
export function toUserResource(row: UserRow): UserResource {
  return {
    id: row.id,
    object: 'user',
    customer_id: row.customerId,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

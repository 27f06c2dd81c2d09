import type { InferSelectModel } from 'drizzle-orm';
import type { users } from '../../db/schema/index.ts';
import type { EventData } from '../events/catalog.ts';
import { toIso } from '../kernel/clock.ts';

export type UserRow = InferSelectModel<typeof users>;

/** The API shape of a customer's user. */
export function toUserResource(row: UserRow) {
  return {
    id: row.id,
    object: 'user' as const,
    customer_id: row.customerId,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

/** The user as carried inside events. */
export function toUserSnapshot(row: UserRow): EventData<'user.created'>['user'] {
  return { id: row.id, customer_id: row.customerId, email: row.email, name: row.name, role: row.role, status: row.status };
}

import type { InferSelectModel } from 'drizzle-orm';
import type { operators } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import type { OperatorResource } from './contract.ts';

export type OperatorRow = InferSelectModel<typeof operators>;

/** The API shape of an operator; never the password hash. */
export function toOperatorResource(row: OperatorRow): OperatorResource {
  return {
    id: row.id,
    object: 'operator',
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabledAt !== null,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

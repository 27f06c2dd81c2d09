import type { InferSelectModel } from 'drizzle-orm';
import type { apiKeys } from '../../db/schema/index.ts';
import { toIso, toIsoOrNull } from '../kernel/clock.ts';
import type { ApiKeyResource } from './contract.ts';
import { KEY_PREFIX } from './secret.ts';

export type ApiKeyRow = InferSelectModel<typeof apiKeys>;

/** Whether a key can be used at `now`. */
export const keyStatus = (row: ApiKeyRow, now: number): ApiKeyResource['status'] =>
  row.revokedAt !== null ? 'revoked' : row.expiresAt !== null && row.expiresAt <= now ? 'expired' : 'active';

/** The API shape of a key: everything but its secret. */
export function toApiKeyResource(row: ApiKeyRow, now: number): ApiKeyResource {
  return {
    id: row.id,
    object: 'api_key',
    name: row.name,
    customer_id: row.customerId,
    scopes: [...row.scopes],
    prefix: `${KEY_PREFIX}${row.id}_`,
    status: keyStatus(row, now),
    created_at: toIso(row.createdAt),
    expires_at: toIsoOrNull(row.expiresAt),
    revoked_at: toIsoOrNull(row.revokedAt),
    last_used_at: toIsoOrNull(row.lastUsedAt),
  };
}

/** What events say of a key. */
export const toApiKeySnapshot = (row: ApiKeyRow) => ({
  id: row.id,
  customer_id: row.customerId,
  name: row.name,
  scopes: [...row.scopes],
  expires_at: toIsoOrNull(row.expiresAt),
});

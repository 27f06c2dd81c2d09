import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { filterBy, listPage } from '../../db/paging.ts';
import { prepared } from '../../db/prepared.ts';
import { apiKeys } from '../../db/schema/index.ts';
import { notFound } from '../kernel/errors.ts';
import type { ListApiKeysQuery } from './contract.ts';
import { toApiKeyResource, type ApiKeyRow } from './present.ts';

const keyById = prepared((db) => db.select().from(apiKeys).where(eq(apiKeys.id, sql.placeholder('id'))).prepare());

/** A key's row, or undefined. Every request with a key reads it: prepared once per connection. */
export async function findApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  return keyById(db).get({ id });
}

/** A key, within `tenant` when given (another customer's key is not_found). */
export async function loadApiKey(db: Executor, id: string, tenant?: string): Promise<ApiKeyRow> {
  const row = await findApiKey(db, id);
  if (!row || (tenant !== undefined && row.customerId !== tenant)) throw notFound('API key', id);
  return row;
}

/** Keys newest first, never with their secret; filter by `customer_id` (forced to the tenant's). */
export async function listApiKeys(db: Executor, query: ListApiKeysQuery, now: number, tenant?: string) {
  const customerId = tenant ?? query.customer_id;
  return listPage(db.select().from(apiKeys).$dynamic(), query, {
    key: apiKeys.id,
    keyOf: (r) => r.id,
    where: [and(filterBy(apiKeys.customerId, customerId))],
    present: (rows) => rows.map((row) => toApiKeyResource(row, now)),
  });
}

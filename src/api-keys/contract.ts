import * as v from 'valibot';
import { pageQuery } from '../../db/paging.ts';
import { apiKeyScopes } from '../../db/schema/index.ts';
import { customerId } from '../customers/contract.ts';
import { realTimestamp } from '../kernel/iso-time.ts';
import { maxChars } from '../kernel/text.ts';
import { oneOf } from '../kernel/one-of.ts';

export const apiKeyId = v.pipe(v.string(), v.regex(/^key_[0-9A-Z]{26}$/, 'must be an API key id (key_…)'));
const scope = oneOf(apiKeyScopes);

export const apiKeyParams = v.object({ id: apiKeyId });

export const createApiKeyInput = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), ...maxChars(100)),
  scopes: v.pipe(
    v.array(scope),
    v.minLength(1, 'must name at least one scope'),
    v.check((list) => new Set(list).size === list.length, 'must not repeat a scope'),
    v.metadata({ uniqueItems: true }),
  ),
  /** The customer the key acts for alone; absent: a platform-wide key. */
  customer_id: v.optional(customerId),
  expires_at: v.optional(realTimestamp('must be an ISO 8601 time')),
});
export type CreateApiKeyInput = v.InferOutput<typeof createApiKeyInput>;

export const listApiKeysQuery = v.object({ customer_id: v.optional(customerId), ...pageQuery });
export type ListApiKeysQuery = v.InferOutput<typeof listApiKeysQuery>;

export const apiKeyResource = v.object({
  id: v.string(),
  object: v.literal('api_key'),
  name: v.string(),
  customer_id: v.nullable(v.string()),
  scopes: v.array(v.string()),
  /** The key's visible start; the secret after it is never shown again. */
  prefix: v.string(),
  status: v.picklist(['active', 'revoked', 'expired']),
  created_at: v.string(),
  expires_at: v.nullable(v.string()),
  revoked_at: v.nullable(v.string()),
  last_used_at: v.nullable(v.string()),
});
export type ApiKeyResource = v.InferOutput<typeof apiKeyResource>;

/** The answer to creating a key: the only time `key` (with its secret) is shown. */
export const createdApiKeyResource = v.object({ ...apiKeyResource.entries, key: v.string() });
export type CreatedApiKeyResource = v.InferOutput<typeof createdApiKeyResource>;

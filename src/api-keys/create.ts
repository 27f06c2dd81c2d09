import { apiKeys } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { loadCustomer } from '../customers/load.ts';
import { emit } from '../events/outbox.ts';
import { tenantOf, withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError, notFound, validationError } from '../kernel/errors.ts';
import { toIso } from '../kernel/clock.ts';
import { newId } from '../kernel/ids.ts';
import type { CreateApiKeyInput, CreatedApiKeyResource } from './contract.ts';
import { chainExpiry } from './holder.ts';
import { toApiKeyResource, toApiKeySnapshot, type ApiKeyRow } from './present.ts';
import { formatKey, hashSecret, newSecret } from './secret.ts';

/**
 * Creates a key and answers it with its secret, the one time it is shown. An operator
 * makes platform-wide keys or keys for one customer; a tenant (a customer's owner)
 * only keys for its own customer (another customer is not_found, as everywhere).
 * A key made by a key never outlives it: without `expires_at` it expires with its parent
 * (or the parent's own parent, whichever comes first); a later `expires_at` is a 400 naming it.
 * Emits `api_key.created`; audited.
 */
export function createApiKey(ctx: Ctx, input: CreateApiKeyInput): Promise<CreatedApiKeyResource> {
  return withTransaction(ctx, async (ctx) => {
    const tenant = tenantOf(ctx.actor);
    const customerId = input.customer_id ?? tenant ?? null;
    if (tenant !== undefined && customerId !== tenant) throw notFound('Customer', customerId!);
    if (customerId !== null) await loadCustomer(ctx.tx, customerId);
    // A key or a customer's user never hands out more than it holds itself.
    const beyond = ctx.actor.scopes === undefined ? [] : input.scopes.filter((scope) => !ctx.actor.scopes!.includes(scope));
    if (beyond.length > 0) throw new DomainError('forbidden', `a key cannot be given scopes its creator does not hold: ${beyond.join(', ')}`, { scopes: beyond });
    const now = ctx.clock.now();
    const requested = input.expires_at === undefined ? null : Date.parse(input.expires_at);
    if (requested !== null && requested <= now) throw validationError([{ field: 'expires_at', message: 'must be in the future' }]);
    const parentExpiry = ctx.actor.kind === 'api_key' ? await chainExpiry(ctx.tx, ctx.actor.id) : null;
    if (requested !== null && parentExpiry !== null && requested > parentExpiry) {
      throw validationError([{ field: 'expires_at', message: `must not be later than the expiry of the key creating it (${toIso(parentExpiry)})` }]);
    }
    const expiresAt = requested ?? parentExpiry;

    const secret = newSecret();
    const row: ApiKeyRow = {
      id: newId('key', now),
      customerId,
      name: input.name,
      scopes: input.scopes,
      secretHash: await hashSecret(secret),
      createdBy: ctx.actor.id,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    };
    await ctx.tx.insert(apiKeys).values(row);
    await emit(ctx, [{ type: 'api_key.created', subject: row.id, data: { api_key: toApiKeySnapshot(row) } }]);
    await recordAudit(ctx, { action: 'api_key.create', targetType: 'api_key', targetId: row.id, data: { customer_id: customerId, scopes: row.scopes } });
    return { ...toApiKeyResource(row, now), key: formatKey(row.id, secret) };
  });
}

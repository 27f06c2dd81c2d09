import { and, eq, isNull } from 'drizzle-orm';
import { apiKeys } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { tenantOf, withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { ApiKeyResource } from './contract.ts';
import { toApiKeyResource, toApiKeySnapshot } from './present.ts';
import { loadApiKey } from './queries.ts';

/**
 * Revokes a key at once: the next request with it is 401 (every request reads the
 * key's row). Revoking a revoked key is 409 `invalid_transition`. Emits `api_key.revoked`; audited.
 */
export function revokeApiKey(ctx: Ctx, id: string): Promise<ApiKeyResource> {
  return withTransaction(ctx, async (ctx) => {
    const row = await loadApiKey(ctx.tx, id, tenantOf(ctx.actor));
    if (row.revokedAt !== null) throw new DomainError('invalid_transition', `API key ${id} is already revoked`, { from: 'revoked', to: 'revoked' });
    const now = ctx.clock.now();
    const revoked = { ...row, revokedAt: now };
    await ctx.tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, id));
    await emit(ctx, [{ type: 'api_key.revoked', subject: id, data: { api_key: toApiKeySnapshot(revoked) } }]);
    await recordAudit(ctx, { action: 'api_key.revoke', targetType: 'api_key', targetId: id });
    return toApiKeyResource(revoked, now);
  });
}

/**
 * Revokes every live key of a customer being erased, in the erasure's transaction: from the
 * next request they are 401, whoever made them. Emits `api_key.revoked` for each; the
 * erasure's audit row says why.
 */
export async function revokeCustomerApiKeys(ctx: TxCtx, customerId: string): Promise<number> {
  const now = ctx.clock.now();
  const revoked = await ctx.tx
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.customerId, customerId), isNull(apiKeys.revokedAt)))
    .returning();
  await emit(ctx, revoked.map((row) => ({ type: 'api_key.revoked' as const, subject: row.id, data: { api_key: toApiKeySnapshot(row) } })));
  return revoked.length;
}

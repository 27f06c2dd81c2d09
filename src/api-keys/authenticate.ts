import { eq, sql } from 'drizzle-orm';
import { apiKeys } from '../../db/schema/index.ts';
import type { Actor, ContextServices } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { findKeyWithCreator, heldScopes } from './holder.ts';
import type { LastUsedTracker } from './last-used.ts';
import { hashSecret, parseKey, sameDigest } from './secret.ts';

const refused = (message: string) => new DomainError('unauthorized', message);

/**
 * The principal of a presented API key: one indexed read of the key with its customer and
 * creator (so a revocation, an erasure or a creator's change counts from the next request),
 * its secret's hash compared in constant time, expiry checked against the clock. Its scopes
 * are those it holds now: within what its creator holds now (`heldScopes`). The last-used
 * time is written only when the tracker says a minute has passed for this key in this process.
 */
export async function authenticateApiKey(services: Pick<ContextServices, 'db' | 'transactor' | 'clock'>, tracker: LastUsedTracker, token: string): Promise<Actor> {
  const parsed = parseKey(token);
  if (!parsed) throw refused('this API key is malformed; keys look like sk_live_key_…_…');
  const found = await findKeyWithCreator(services.db, parsed.id);
  // An unknown id still costs a hash, so timing does not tell which ids exist.
  const digest = await hashSecret(parsed.secret);
  if (!found || !sameDigest(digest, found.key.secretHash)) throw refused('this API key is not valid');
  const row = found.key;
  const now = services.clock.now();
  if (row.revokedAt !== null) throw refused('this API key was revoked');
  if (row.expiresAt !== null && row.expiresAt <= now) throw refused('this API key has expired');
  if (found.customerStatus === 'erased') throw refused('the customer of this API key was erased');
  const scopes = await heldScopes(services.db, found, now);
  if (scopes === null) throw refused('the creator of this API key no longer has access');
  if (tracker.due(row.id, now)) {
    await services.transactor.write((tx) =>
      tx.update(apiKeys).set({ lastUsedAt: sql`max(coalesce(${apiKeys.lastUsedAt}, 0), ${now})` }).where(eq(apiKeys.id, row.id)),
    );
  }
  const actor: Actor = { id: row.id, kind: 'api_key', role: 'none', scopes };
  if (row.customerId !== null) actor.customerId = row.customerId;
  return actor;
}

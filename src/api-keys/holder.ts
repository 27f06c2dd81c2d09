import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { prepared } from '../../db/prepared.ts';
import { apiKeys, apiKeyScopes, customers, operators, users, type ApiKeyScope } from '../../db/schema/index.ts';
import { scopesOfUserRole } from '../portal/principal.ts';

/** How deep a chain of keys minted by keys is followed before it counts as holding nothing (fail closed). */
const MAX_CHAIN = 8;

const READ_SCOPES = apiKeyScopes.filter((scope) => scope.endsWith(':read'));

/** What an operator of each role may do: viewers read only, as their own access is read-only. */
const OPERATOR_SCOPES: Record<(typeof operators.$inferSelect)['role'], readonly ApiKeyScope[]> = { admin: apiKeyScopes, operator: apiKeyScopes, viewer: READ_SCOPES };

// Every request with a key reads this: the key, its customer's status and its creator if that is
// an operator or a customer's user, in one indexed statement prepared once per connection.
const keyWithCreator = prepared((db) =>
  db
    .select({
      key: apiKeys,
      customerStatus: customers.status,
      operatorRole: operators.role,
      operatorDisabledAt: operators.disabledAt,
      userRole: users.role,
      userStatus: users.status,
      userCustomerId: users.customerId,
    })
    .from(apiKeys)
    .leftJoin(customers, eq(customers.id, apiKeys.customerId))
    .leftJoin(operators, eq(operators.id, apiKeys.createdBy))
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(eq(apiKeys.id, sql.placeholder('id')))
    .prepare(),
);

export type KeyWithCreator = NonNullable<Awaited<ReturnType<ReturnType<typeof keyWithCreator>['get']>>>;

/** A key with what authentication needs to know of its customer and creator, or undefined. */
export async function findKeyWithCreator(db: Executor, id: string): Promise<KeyWithCreator | undefined> {
  return keyWithCreator(db).get({ id });
}

/**
 * The scopes a key holds now: its own, within what its creator holds now. A key never holds
 * more than the one who made it: an operator must still exist and not be disabled (a viewer
 * holds the read scopes); a customer's user must still be active, and holds its role's scopes
 * (a demoted admin's keys lose their write scopes); a key made by a key holds at most what that
 * key holds now, so revoking or expiring a parent ends its children too. A system component
 * (the CLI) holds every scope. Null when the creator holds nothing any more (the key is refused).
 */
export async function heldScopes(db: Executor, row: KeyWithCreator, now: number, depth = 0): Promise<readonly ApiKeyScope[] | null> {
  const key = row.key;
  if (key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now) || row.customerStatus === 'erased') return null;
  const creator = await creatorHolds(db, row, now, depth);
  return creator === null ? null : key.scopes.filter((scope) => creator.includes(scope));
}

async function creatorHolds(db: Executor, row: KeyWithCreator, now: number, depth: number): Promise<readonly string[] | null> {
  const by = row.key.createdBy;
  if (by.startsWith('system:')) return apiKeyScopes;
  if (row.operatorRole !== null) return row.operatorDisabledAt === null ? OPERATOR_SCOPES[row.operatorRole] : null;
  if (row.userRole !== null) return row.userStatus === 'active' && row.userCustomerId === row.key.customerId ? scopesOfUserRole(row.userRole) : null;
  if (by.startsWith('key_') && depth < MAX_CHAIN) {
    const parent = await findKeyWithCreator(db, by);
    return parent ? heldScopes(db, parent, now, depth + 1) : null;
  }
  return null; // a creator that is gone (or a chain too long to follow)
}

/**
 * When a key stops working at the latest because of its own expiry or that of the keys that
 * made it (a key made by a key); null when none of them expires.
 */
export async function chainExpiry(db: Executor, keyId: string): Promise<number | null> {
  let earliest: number | null = null;
  let id: string | null = keyId;
  for (let depth = 0; id !== null && depth <= MAX_CHAIN; depth++) {
    const found = await findKeyWithCreator(db, id);
    if (!found) break;
    const expires = found.key.expiresAt;
    if (expires !== null && (earliest === null || expires < earliest)) earliest = expires;
    id = found.key.createdBy.startsWith('key_') ? found.key.createdBy : null;
  }
  return earliest;
}

import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { customers } from './customers.ts';
import { timestamp } from './columns.ts';

/** What a key may do; a route declares the one scope a key needs to call it (`doc({ scope })`). */
export const apiKeyScopes = [
  'customers:read',
  'customers:write',
  'subscriptions:read',
  'subscriptions:write',
  'usage:read',
  'usage:write',
  'entitlements:read',
  'entitlements:check',
  'entitlements:write',
  'invoices:read',
  'invoices:write',
  'events:read',
  'keys:read',
  'keys:write',
  'wallet:read',
  'wallet:write',
] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/**
 * Keys for programs: `sk_live_<id>_<secret>`. Only the SHA-256 of the secret is stored.
 * A key with a `customer_id` acts for that customer alone (a tenant); without one, platform-wide.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').references(() => customers.id),
    name: text('name').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<ApiKeyScope[]>().notNull(),
    secretHash: text('secret_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at').notNull(),
    expiresAt: timestamp('expires_at'),
    revokedAt: timestamp('revoked_at'),
    /** Written at most once a minute per key and process (src/api-keys/last-used.ts). */
    lastUsedAt: timestamp('last_used_at'),
  },
  (t) => [index('api_keys_customer').on(t.customerId, t.id)],
);

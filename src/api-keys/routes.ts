import { Hono } from 'hono';
import { pageSchema } from '../../db/paging.ts';
import { runCommand } from '../http/command.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { apiKeyScopes } from '../../db/schema/index.ts';
import { tenantOf } from '../kernel/context.ts';
import { apiKeyParams, apiKeyResource, createApiKeyInput, createdApiKeyResource, listApiKeysQuery } from './contract.ts';
import { createApiKey } from './create.ts';
import { listApiKeys, loadApiKey } from './queries.ts';
import { toApiKeyResource } from './present.ts';
import { revokeApiKey } from './revoke.ts';

const tags = ['API keys'];
const key = { status: 200, description: 'The key (never its secret)', schema: apiKeyResource };

/** /v1/api-keys: keys for programs, shown once, stored hashed, scoped, revocable. */
export function apiKeyRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    doc({
      summary: 'Create an API key',
      description: `Platform-wide, or with \`customer_id\` for that customer alone. Answers \`key\` (\`sk_live_<id>_<secret>\`) this once: only a hash of the secret is kept. Scopes: ${apiKeyScopes.map((s) => `\`${s}\``).join(', ')}. Optional \`expires_at\`. Emits \`api_key.created\`; audited.`,
      tags,
      access: 'operator',
      scope: 'keys:write',
      tenant: 'body',
      tenantFields: ['name', 'scopes', 'customer_id', 'expires_at'],
      success: { status: 201, description: 'The key with its secret, shown once', schema: createdApiKeyResource },
      errors: [404],
      idempotent: true,
    }),
    validate('json', createApiKeyInput),
    (c) => runCommand(c, 201, (ctx) => createApiKey(ctx, c.req.valid('json'))),
  );

  app.get(
    '/',
    doc({ summary: 'List API keys', description: 'Newest first, never with a secret; filter by `customer_id`. Pass `next_cursor` back as `cursor`.', tags, access: 'viewer', scope: 'keys:read', tenant: 'list', success: { status: 200, description: 'A page of keys', schema: pageSchema(apiKeyResource) } }),
    validate('query', listApiKeysQuery),
    async (c) => c.json(await listApiKeys(c.get('deps').db, c.req.valid('query'), c.get('deps').clock.now(), tenantOf(c.get('ctx').actor))),
  );

  app.get(
    '/:id',
    doc({ summary: 'Get an API key', tags, access: 'viewer', scope: 'keys:read', tenant: 'api_key', success: key, errors: [404] }),
    validate('param', apiKeyParams),
    async (c) => c.json(toApiKeyResource(await loadApiKey(c.get('deps').db, c.req.valid('param').id, tenantOf(c.get('ctx').actor)), c.get('deps').clock.now())),
  );

  app.post(
    '/:id/revoke',
    doc({ summary: 'Revoke an API key', description: 'At once: the next request with the key is 401. A revoked key is 409 `invalid_transition`. Emits `api_key.revoked`; audited.', tags, access: 'operator', scope: 'keys:write', tenant: 'api_key', success: key, errors: [404, 409], idempotent: true }),
    validate('param', apiKeyParams),
    (c) => runCommand(c, 200, (ctx) => revokeApiKey(ctx, c.req.valid('param').id)),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const apiKeyMounts: Mount[] = [mount('/api-keys', apiKeyRoutes)];

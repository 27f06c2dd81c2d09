import * as v from 'valibot';
import { iso } from '../events/shapes.ts';

const apiKeySnapshot = v.object({
  id: v.string(),
  customer_id: v.nullable(v.string()),
  name: v.string(),
  scopes: v.array(v.string()),
  expires_at: v.nullable(iso),
});

/** Keys for programs; subject: the key. */
export const apiKeyEvents = {
  /** A key for programs was created (never its secret) or revoked; subject: the key. */
  'api_key.created': v.object({ api_key: apiKeySnapshot }),
  'api_key.revoked': v.object({ api_key: apiKeySnapshot }),
} as const;

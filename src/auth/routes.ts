import { Hono } from 'hono';
import { clientAddress } from '../http/client-address.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { loginInput, loginResponse, sessionResource } from '../operators/contract.ts';
import { login } from './login.ts';
import { describeSession, revokeToken } from './sessions.ts';

const tags = ['Auth'];

/** /v1/auth: exchange an operator's email and password for a bearer token, end it, and see whose it is. */
export function authRoutes() {
  const app = new Hono<AppEnv>();
  app.post(
    '/login',
    doc({
      summary: 'Log in',
      description:
        'Returns a JWT to send as `Authorization: Bearer <token>`. Failed attempts are limited per email and per client address (429 with Retry-After).',
      tags,
      access: 'public',
      success: { status: 200, description: 'A token', schema: loginResponse },
      errors: [401, 429],
      limit: 'login',
    }),
    validate('json', loginInput),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const ctx = c.get('ctx');
      const address = clientAddress(c, ctx.settings.login.clientAddressHeader);
      return c.json(await login(ctx, { tokens: c.get('deps').tokens, limits: ctx.settings.login }, { email, password, address }));
    },
  );

  app.post(
    '/logout',
    doc({ summary: 'Log out', description: 'Ends the presented token at once; the operator’s other tokens stay valid.', tags, access: 'viewer', tenant: 'none', success: { status: 204, description: 'The token no longer works' } }),
    async (c) => {
      await revokeToken(c.get('ctx'), c.get('token')!);
      return c.body(null, 204);
    },
  );

  app.get(
    '/me',
    doc({ summary: 'Who am I', description: 'The operator behind the presented token, and when the token expires.', tags, access: 'viewer', tenant: 'none', success: { status: 200, description: 'The session', schema: sessionResource } }),
    async (c) => c.json(await describeSession(c.get('deps').db, c.get('token')!)),
  );
  return app;
}

/** Under /v1/auth, before Idempotency-Key handling: login and logout are no commands to replay. */
export const authMounts: Mount[] = [mount('/auth', authRoutes, { beforeIdempotency: true })];

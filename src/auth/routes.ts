import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { validate } from '../http/validate.ts';
import { loginInput, loginResponse } from '../operators/schema.ts';
import { login } from './login.ts';

/** /v1/auth: exchange an operator's email and password for a bearer token. */
export function authRoutes() {
  const app = new Hono<AppEnv>();
  app.post(
    '/login',
    doc({ summary: 'Log in', description: 'Returns a JWT to send as `Authorization: Bearer <token>`.', tags: ['Auth'], access: 'public', success: { status: 200, description: 'A token', schema: loginResponse }, errors: [401] }),
    validate('json', loginInput),
    async (c) => {
      const { email, password } = c.req.valid('json');
      return c.json(await login(c.get('ctx'), c.get('deps').tokens, email, password));
    },
  );
  return app;
}

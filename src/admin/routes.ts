import { Hono } from 'hono';
import { html } from 'hono/html';
import { csrf } from 'hono/csrf';
import { login } from '../auth/login.ts';
import { revokeToken } from '../auth/sessions.ts';
import { access } from '../http/access.ts';
import { clientAddress } from '../http/client-address.ts';
import { limitPerAddress } from '../http/rate-limit.ts';
import type { AppEnv } from '../http/env.ts';
import { DomainError } from '../kernel/errors.ts';
import { loginInput } from '../operators/contract.ts';
import { parseForm, formFields } from './form.ts';
import { csrfProtection, endSession, startSession } from './session.ts';
import { ADMIN_CSS, ADMIN_JS } from './static.ts';
import { page } from './ui.ts';

/** Where a successful sign-in goes: a dashboard path only, never another site. */
const safeNext = (next: string | undefined) => (next && /^\/admin(\/[\w\-/?=&%.]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin');

/** Each section of the dashboard registers its pages on the router. */
export type AdminSection = (app: Hono<AppEnv>) => void;

function loginPage(c: Parameters<typeof page>[0], error?: string, status: 200 | 429 = 200) {
  const next = c.req.query('next') ?? '';
  return page(c, {
    title: 'Sign in',
    status,
    body: html`<div class="card login">
      ${error ? html`<div class="flash error" role="alert" data-test="login-error">${error}</div>` : ''}
      <form method="post" action="/admin/login${next ? `?next=${encodeURIComponent(next)}` : ''}">
        <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <p><button type="submit" data-test="sign-in">Sign in</button></p>
      </form></div>`,
  });
}

/**
 * The operators' dashboard at /admin: server-rendered pages over the same verbs
 * and queries as the API. Signed in with the operators' email and password; the
 * JWT lives in an HttpOnly SameSite=Strict cookie. Every change needs the
 * session's CSRF token and a same-origin request.
 */
export function adminRoutes(sections: AdminSection[]) {
  const app = new Hono<AppEnv>();
  // Cross-origin form posts are refused before anything else (login included).
  app.use(csrf());
  app.use(csrfProtection());

  app.get('/static/admin.css', access('public'), (c) => c.body(ADMIN_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }));
  app.get('/static/admin.js', access('public'), (c) => c.body(ADMIN_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }));

  app.get('/login', access('public'), (c) => loginPage(c));
  app.post('/login', access('public'), limitPerAddress('login'), async (c) => {
    const ctx = c.get('ctx');
    try {
      const input = parseForm(loginInput, await formFields(c));
      const session = await login(ctx, { tokens: c.get('deps').tokens, limits: ctx.settings.login }, { ...input, address: clientAddress(c, ctx.settings.login.clientAddressHeader) });
      startSession(c, session.token, new Date(session.expires_at));
      return c.redirect(safeNext(c.req.query('next')), 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'rate_limited') return loginPage(c, error.message, 429);
      // The form again with the reason: a page that worked, not a failed load.
      return loginPage(c, error.code === 'validation' ? 'Enter your email and password.' : 'Email or password is wrong.');
    }
  });
  app.post('/logout', access('viewer'), async (c) => {
    await revokeToken(c.get('ctx'), c.get('token')!);
    endSession(c);
    return c.redirect('/admin/login?notice=' + encodeURIComponent('You are signed out.'), 303);
  });

  for (const register of sections) register(app);
  return app;
}


import { Hono } from 'hono';
import { clientAddress } from '../http/client-address.ts';
import { runCommand } from '../http/command.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import {
  acceptedResource,
  acceptInvitationInput,
  doneResource,
  forgotPasswordInput,
  portalLoginInput,
  portalLoginResponse,
  portalMeResource,
  resetPasswordInput,
  signupInput,
  signupParams,
  signupResource,
  verifyEmailInput,
} from './contract.ts';
import { verifyEmail } from './email-verification.ts';
import { acceptInvitation, prepareAcceptance } from './invitation-accept.ts';
import { loginUser } from './login.ts';
import { prepareReset, requestPasswordReset, resetPassword } from './password-reset.ts';
import { describeMe, getSignup } from './queries.ts';
import { requireUser, sessionOf, type PortalEnv } from '../http/require-user.ts';
import { revokeUserToken } from './sessions.ts';
import { prepareSignup, signUp } from './signup.ts';
import { portalTokenSettings } from './tokens.ts';

const tags = ['Portal'];
const USER_TOKEN = 'Needs a portal user token (`Authorization: Bearer <token>` from POST /v1/portal/login); an operator token is refused with 401.';

/** /v1/portal login, logout and me: a customer user's session. Mounted before Idempotency-Key handling (nothing to replay). */
export function portalSessionRoutes() {
  const app = new Hono<PortalEnv>();
  app.post(
    '/login',
    doc({
      summary: 'Log in a customer user',
      description: 'Returns a portal JWT (audience PORTAL_JWT_AUDIENCE) to send as `Authorization: Bearer <token>`. Failed attempts are limited per email and per client address (429 with Retry-After), as for operators.',
      tags,
      access: 'public',
      success: { status: 200, description: 'A token', schema: portalLoginResponse },
      errors: [401, 429],
      limit: 'login',
    }),
    validate('json', portalLoginInput),
    async (c) => {
      const ctx = c.get('ctx');
      const address = clientAddress(c, ctx.settings.login.clientAddressHeader);
      return c.json(await loginUser(ctx, portalTokenSettings(c.get('deps').tokens, ctx.settings.portal.audience), { ...c.req.valid('json'), address }));
    },
  );

  app.post(
    '/logout',
    doc({ summary: 'Log out a customer user', description: `Ends the presented token at once; the user's other tokens stay valid. ${USER_TOKEN}`, tags, access: 'public', success: { status: 204, description: 'The token no longer works' }, errors: [401] }),
    requireUser(),
    async (c) => {
      await revokeUserToken(c.get('ctx'), sessionOf(c).claims);
      return c.body(null, 204);
    },
  );

  app.get(
    '/me',
    doc({ summary: 'The signed-in customer user', description: `The user, its customer's id, whether the email is verified and whether the account is ready. Before the account is ready no login works: follow the sign-up with GET /v1/portal/signups/{id}. ${USER_TOKEN}`, tags, access: 'public', success: { status: 200, description: 'The session', schema: portalMeResource }, errors: [401] }),
    requireUser(),
    async (c) => c.json(await describeMe(c.get('deps').db, sessionOf(c))),
  );
  return app;
}

/** /v1/portal sign-up and account emails: open routes, idempotent with an Idempotency-Key. */
export function portalAccountRoutes() {
  const app = new Hono<PortalEnv>();
  app.post(
    '/signup',
    doc({
      summary: 'Sign up a company',
      description:
        "Records a pending sign-up and `user.signed_up`; the portal-signups worker onboards the customer with this person as its active owner, then emails an address-verification code. Answers 202 with the sign-up: follow it with GET /v1/portal/signups/{id} until `ready`, then log in. The password follows the operators' policy (12+ characters, not the email, not a common password). An email that already signs in, has a sign-up in progress or is a live customer's answers 409 naming `email`.",
      tags,
      access: 'public',
      success: { status: 202, description: 'The account is being set up', schema: signupResource },
      errors: [409],
      idempotent: true,
      limit: 'signup',
    }),
    validate('json', signupInput),
    async (c) => {
      const prepared = await prepareSignup(c.get('ctx'), c.req.valid('json'));
      return runCommand(c, 202, (ctx) => signUp(ctx, prepared));
    },
  );

  app.get(
    '/signups/:id',
    doc({ summary: 'Follow a sign-up', description: 'Whether the account of a sign-up is ready (`pending`, `ready` with the customer and user ids, or `refused` with the reason). The sign-up id is known only to whoever signed up.', tags, access: 'public', success: { status: 200, description: 'The sign-up', schema: signupResource }, errors: [404] }),
    validate('param', signupParams),
    async (c) => c.json(await getSignup(c.get('deps').db, c.req.valid('param').id)),
  );

  app.post(
    '/password/forgot',
    doc({
      summary: 'Ask for a password reset email',
      description: 'Emails a single-use code (valid PORTAL_RESET_TOKEN_MINUTES) to the user who signs in with this address. The answer is the same 202 whether or not the address has an account.',
      tags,
      access: 'public',
      success: { status: 202, description: 'Accepted', schema: acceptedResource },
      idempotent: true,
      limit: 'password_reset',
    }),
    validate('json', forgotPasswordInput),
    (c) => runCommand(c, 202, (ctx) => requestPasswordReset(ctx, c.req.valid('json').email)),
  );

  app.post(
    '/password/reset',
    doc({
      summary: 'Reset a password with the emailed code',
      description: "Sets the new password (operators' policy). The code works once and expires; a used, expired or unknown code answers 400 naming `token`. Every portal token issued before ends.",
      tags,
      access: 'public',
      success: { status: 200, description: 'The password is changed', schema: doneResource },
      idempotent: true,
      limit: 'password_reset',
    }),
    validate('json', resetPasswordInput),
    async (c) => {
      const prepared = await prepareReset(c.get('ctx'), c.req.valid('json'));
      return runCommand(c, 200, (ctx) => resetPassword(ctx, prepared));
    },
  );

  app.post(
    '/email/verify',
    doc({
      summary: 'Verify the email address',
      description: 'With the code of the sign-up email; it works once and expires (PORTAL_EMAIL_TOKEN_HOURS). 400 naming `token` otherwise.',
      tags,
      access: 'public',
      success: { status: 200, description: 'Verified', schema: doneResource },
      idempotent: true,
      limit: 'emailed_code',
    }),
    validate('json', verifyEmailInput),
    (c) => runCommand(c, 200, (ctx) => verifyEmail(ctx, c.req.valid('json').token)),
  );

  app.post(
    '/invitations/accept',
    doc({
      summary: 'Accept an invitation',
      description: "An invited user (POST /v1/customers/:id/users) chooses a password with the code of the invitation email; the user becomes `active` (`user.activated`) and can log in. The code works once and expires; a used, expired or unknown code answers 400 naming `token`; 409 naming `email` when that address already signs in to another account.",
      tags,
      access: 'public',
      success: { status: 200, description: 'Accepted', schema: doneResource },
      errors: [409],
      idempotent: true,
      limit: 'emailed_code',
    }),
    validate('json', acceptInvitationInput),
    async (c) => {
      const prepared = await prepareAcceptance(c.get('ctx'), c.req.valid('json'));
      return runCommand(c, 200, (ctx) => acceptInvitation(ctx, prepared));
    },
  );
  return app;
}

/** Under /v1/portal: the session's routes before Idempotency-Key handling (nothing to replay), the account's after it. */
export const portalMounts: Mount[] = [mount('/portal', portalSessionRoutes, { beforeIdempotency: true }), mount('/portal', portalAccountRoutes)];

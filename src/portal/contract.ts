import * as v from 'valibot';
import { customerKinds, signupStates, userRoles, userStatuses } from '../../db/schema/index.ts';
import { country, name } from '../customers/contract.ts';
import { email } from '../kernel/email.ts';
import { password } from '../operators/contract.ts';
import { maxChars } from '../kernel/text.ts';
import { oneOf } from '../kernel/one-of.ts';

/** A one-time token from an email: URL-safe base64 of 32 random bytes. */
const oneTimeToken = v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9_-]{20,100}$/, 'must be the code from the email'));

export const signupInput = v.strictObject({
  company_name: name,
  kind: oneOf(customerKinds),
  country,
  name,
  email,
  password,
});
export type SignupInput = v.InferOutput<typeof signupInput>;

export const signupParams = v.object({ id: v.pipe(v.string(), v.regex(/^sgn_[0-9A-Z]{26}$/, 'must be a sign-up id (sgn_…)')) });

/** A sign-up as its maker sees it: pending until the customer is onboarded. */
export const signupResource = v.object({
  id: v.string(),
  object: v.literal('signup'),
  state: v.picklist(signupStates),
  /** Why a sign-up was refused; null otherwise. */
  reason: v.nullable(v.string()),
  customer_id: v.nullable(v.string()),
  user_id: v.nullable(v.string()),
  ready: v.boolean(),
  message: v.string(),
  created_at: v.string(),
});
export type SignupResource = v.InferOutput<typeof signupResource>;

export const portalLoginInput = v.strictObject({ email, password: v.pipe(v.string(), v.minLength(1, 'must not be empty'), ...maxChars(200)) });
export const portalLoginResponse = v.object({
  token: v.string(),
  token_type: v.literal('Bearer'),
  expires_at: v.string(),
  user: v.object({ id: v.string(), customer_id: v.string(), email: v.string(), name: v.nullable(v.string()), role: v.picklist(userRoles) }),
});
export type PortalLoginResponse = v.InferOutput<typeof portalLoginResponse>;

/** GET /v1/portal/me: the signed-in user, its customer and whether the account is ready. */
export const portalMeResource = v.object({
  user: v.object({
    id: v.string(),
    customer_id: v.string(),
    email: v.nullable(v.string()),
    name: v.nullable(v.string()),
    role: v.picklist(userRoles),
    status: v.picklist(userStatuses),
    email_verified: v.boolean(),
  }),
  customer_id: v.string(),
  /** True once the customer is onboarded (always, for a user who can sign in). */
  ready: v.boolean(),
  expires_at: v.string(),
});
export type PortalMeResource = v.InferOutput<typeof portalMeResource>;

export const forgotPasswordInput = v.strictObject({ email });
export const resetPasswordInput = v.strictObject({ token: oneTimeToken, password });
export const verifyEmailInput = v.strictObject({ token: oneTimeToken });
export const acceptInvitationInput = v.strictObject({ token: oneTimeToken, password });

/** What a request that starts something in the background answers (sign-up aside). */
export const acceptedResource = v.object({ message: v.string() });
/** What a finished account change answers. */
export const doneResource = v.object({ user_id: v.string(), customer_id: v.string(), message: v.string() });

import * as v from 'valibot';
import { customerKinds } from '../../db/schema/index.ts';
import { personal } from '../events/shapes.ts';

/** What customers' people do in the portal: sign up, reset a password, verify an email. */
export const portalEvents = {
  /**
   * Someone signed up in the portal; the portal-signups worker onboards the customer from it.
   * The password (hashed) stays in the sign-up row: it never travels in an event.
   */
  'user.signed_up': v.object({
    signup_id: v.string(),
    company: v.object({ name: personal, kind: v.picklist(customerKinds), country: v.nullable(v.string()) }),
    user: v.object({ name: personal, email: personal }),
  }),
  /** A reset email was asked for a user who can sign in; the token is only in the email. */
  'user.password_reset_requested': v.object({ user_id: v.string(), customer_id: v.string() }),
  /** A portal user's password was set: by a reset (earlier tokens end) or by accepting an invitation. */
  'user.password_changed': v.object({ user_id: v.string(), customer_id: v.string(), reason: v.picklist(['reset', 'invitation']) }),
  'user.email_verified': v.object({ user_id: v.string(), customer_id: v.string() }),
} as const;

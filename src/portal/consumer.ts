import type { EventHandler } from '../bus/consumer.ts';
import type { EventData } from '../events/catalog.ts';
import { sendInvitation } from './invitation-send.ts';
import { onboardSignup } from './signup-onboard.ts';

/**
 * The portal-signups group: onboards the customer of a `user.signed_up` event and sends the
 * email-verification email (`onboardSignup`). Idempotent twice over: the inbox skips a
 * redelivered event, and only a `pending` sign-up is onboarded. A sign-up whose address was
 * taken meanwhile is marked `refused` (with the reason), not retried.
 */
export const portalSignupsHandler: EventHandler = {
  group: 'portal-signups',
  types: ['user.signed_up'],
  async handle(ctx, event) {
    const { signup_id } = event.data as EventData<'user.signed_up'>;
    await onboardSignup(ctx, signup_id, event.id);
  },
};

/**
 * The portal-invitations group: for each `user.invited` (POST /v1/customers/:id/users)
 * emails the invited person a single-use token to accept with a password (`sendInvitation`).
 */
export const portalInvitationsHandler: EventHandler = {
  group: 'portal-invitations',
  types: ['user.invited'],
  async handle(ctx, event) {
    const { user } = event.data as EventData<'user.invited'>;
    await sendInvitation(ctx, user.id, event.id);
  },
};

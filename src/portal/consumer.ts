import { eq } from 'drizzle-orm';
import { customers, portalSignups, users } from '../../db/schema/index.ts';
import type { EventHandler } from '../bus/consumer.ts';
import { assertEmailFree } from '../customers/load.ts';
import { onboardWithOwner } from '../customers/onboard.ts';
import type { EventData } from '../events/catalog.ts';
import { DomainError } from '../kernel/errors.ts';
import { queueAccountEmail } from './mail.ts';

/**
 * The portal-signups group: onboards the customer of a `user.signed_up` event through the
 * same verb as POST /v1/customers, with the person as its active owner holding the password
 * they chose, and sends the email-verification email. Idempotent twice over: the inbox skips
 * a redelivered event, and only a `pending` sign-up is onboarded. A sign-up whose address was
 * taken meanwhile is marked `refused` (with the reason), not retried.
 */
export const portalSignupsHandler: EventHandler = {
  group: 'portal-signups',
  types: ['user.signed_up'],
  async handle(ctx, event) {
    const data = event.data as EventData<'user.signed_up'>;
    const [signup] = await ctx.tx.select().from(portalSignups).where(eq(portalSignups.id, data.signup_id));
    if (!signup || signup.state !== 'pending' || !signup.passwordHash) return;
    const now = ctx.clock.now();
    try {
      await assertEmailFree(ctx.tx, signup.email);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await ctx.tx.update(portalSignups).set({ state: 'refused', reason: 'the email address is already in use', passwordHash: null, updatedAt: now }).where(eq(portalSignups.id, signup.id));
      return;
    }
    const { customer, ownerId } = await onboardWithOwner(
      ctx,
      { name: signup.companyName, email: signup.email, kind: signup.kind, country: signup.country },
      { name: signup.name, passwordHash: signup.passwordHash },
    );
    await ctx.tx.update(portalSignups).set({ state: 'ready', customerId: customer.id, userId: ownerId, passwordHash: null, updatedAt: now }).where(eq(portalSignups.id, signup.id));
    await queueAccountEmail(ctx, {
      kind: 'email_verification',
      eventId: event.id,
      user: { id: ownerId, customerId: customer.id, email: signup.email, name: signup.name },
      ttlMs: ctx.settings.portal.emailTokenMs,
    });
  },
};

/**
 * The portal-invitations group: for each `user.invited` (POST /v1/customers/:id/users)
 * emails the invited person a single-use token to accept with a password
 * (POST /v1/portal/invitations/accept). Skips users no longer invited and erased customers.
 */
export const portalInvitationsHandler: EventHandler = {
  group: 'portal-invitations',
  types: ['user.invited'],
  async handle(ctx, event) {
    const { user } = event.data as EventData<'user.invited'>;
    const [current] = await ctx.tx
      .select({ id: users.id, email: users.email, name: users.name, status: users.status, customerId: users.customerId, company: customers.name, customerStatus: customers.status })
      .from(users)
      .innerJoin(customers, eq(customers.id, users.customerId))
      .where(eq(users.id, user.id));
    if (!current || current.status !== 'invited' || !current.email || current.customerStatus === 'erased') return;
    await queueAccountEmail(ctx, {
      kind: 'invitation',
      eventId: event.id,
      user: { id: current.id, customerId: current.customerId, email: current.email, name: current.name },
      company: current.company,
      ttlMs: ctx.settings.portal.emailTokenMs,
    });
  },
};

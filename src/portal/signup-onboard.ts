import { eq } from 'drizzle-orm';
import { portalSignups } from '../../db/schema/index.ts';
import { assertEmailFree } from '../customers/load.ts';
import { onboardWithOwner } from '../customers/onboard.ts';
import type { TxCtx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { queueAccountEmail } from './mail.ts';

/**
 * Onboards the customer of a pending sign-up through the same verb as POST /v1/customers,
 * with the person as its active owner holding the password they chose, marks the sign-up
 * `ready` and queues the email-verification email (one per `eventId`). Only a `pending`
 * sign-up is onboarded; one whose address was taken meanwhile is marked `refused` with the reason.
 */
export async function onboardSignup(ctx: TxCtx, signupId: string, eventId: string): Promise<void> {
  const [signup] = await ctx.tx.select().from(portalSignups).where(eq(portalSignups.id, signupId));
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
    eventId,
    user: { id: ownerId, customerId: customer.id, email: signup.email, name: signup.name },
    ttlMs: ctx.settings.portal.emailTokenMs,
  });
}

import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { portalSignups, users } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import { notFound } from '../kernel/errors.ts';
import type { PortalMeResource, SignupResource } from './contract.ts';
import type { UserSession } from './sessions.ts';
import { toSignupResource } from './signup.ts';

/** A sign-up by its id (the id is the capability: only its maker learned it). */
export async function getSignup(db: Executor, id: string): Promise<SignupResource> {
  const [row] = await db.select().from(portalSignups).where(eq(portalSignups.id, id));
  if (!row) throw notFound('Signup', id);
  return toSignupResource(row);
}

/** The signed-in user, its customer and whether the account is ready. */
export async function describeMe(db: Executor, session: UserSession): Promise<PortalMeResource> {
  const [user] = await db.select().from(users).where(eq(users.id, session.userId));
  if (!user) throw notFound('User', session.userId);
  return {
    user: { id: user.id, customer_id: user.customerId, email: user.email, name: user.name, role: user.role, status: user.status, email_verified: user.emailVerifiedAt !== null },
    customer_id: user.customerId,
    // A user who can sign in exists only once its customer is onboarded; before that, GET /v1/portal/signups/:id answers.
    ready: true,
    expires_at: toIso(session.claims.expiresAt),
  };
}

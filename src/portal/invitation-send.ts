import { eq } from 'drizzle-orm';
import { customers, users } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { queueAccountEmail } from './mail.ts';

/**
 * Emails an invited person a single-use token to accept the invitation with a password
 * (POST /v1/portal/invitations/accept), one email per `eventId`. Skips a user no longer
 * invited and an erased customer.
 */
export async function sendInvitation(ctx: TxCtx, userId: string, eventId: string): Promise<void> {
  const [current] = await ctx.tx
    .select({ id: users.id, email: users.email, name: users.name, status: users.status, customerId: users.customerId, company: customers.name, customerStatus: customers.status })
    .from(users)
    .innerJoin(customers, eq(customers.id, users.customerId))
    .where(eq(users.id, userId));
  if (!current || current.status !== 'invited' || !current.email || current.customerStatus === 'erased') return;
  await queueAccountEmail(ctx, {
    kind: 'invitation',
    eventId,
    user: { id: current.id, customerId: current.customerId, email: current.email, name: current.name },
    company: current.company,
    ttlMs: ctx.settings.portal.emailTokenMs,
  });
}

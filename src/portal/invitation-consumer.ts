import { eq } from 'drizzle-orm';
import { customers, users } from '../../db/schema/index.ts';
import type { EventHandler } from '../bus/consumer.ts';
import type { EventData } from '../events/catalog.ts';
import { queueAccountEmail } from './mail.ts';

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

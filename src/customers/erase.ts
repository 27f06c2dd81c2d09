import { and, eq } from 'drizzle-orm';
import { customers, notifications, users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit, redactSubject } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { nextStatus } from './lifecycle.ts';
import { loadCustomer } from './load.ts';
import { toCustomerResource } from './present.ts';

const ERASED = '[erased]';
const CANCELLED = 'customer erased before delivery';

/**
 * Erases a customer's personal data (right to erasure): name, email, phone,
 * metadata, its users' names and emails, notification recipients and bodies,
 * and the same fields inside its stored events. Pending notifications are
 * cancelled (`notification.failed`). The id, status history, events
 * and audit trail stay. `erased` is final. Emits `customer.erased`.
 */
export function eraseCustomer(ctx: Ctx, id: string) {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadCustomer(ctx.tx, id);
    const status = nextStatus(current.status, 'erase');
    if (!status) throw new DomainError('invalid_transition', `customer ${id} is already erased`, { current_status: current.status, transition: 'erase' });
    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .update(customers)
      .set({ status, name: null, email: null, phone: null, country: null, metadata: {}, erasedAt: now, version: current.version + 1, updatedAt: now })
      .where(eq(customers.id, id))
      .returning();
    await ctx.tx.update(users).set({ name: null, email: null, status: 'removed', updatedAt: now }).where(eq(users.customerId, id));
    // Nothing more goes out to an erased customer: pending notifications fail now.
    const cancelled = await ctx.tx
      .update(notifications)
      .set({ status: 'failed', nextAttemptAt: null, lastError: CANCELLED, updatedAt: now })
      .where(and(eq(notifications.customerId, id), eq(notifications.status, 'pending')))
      .returning();
    await ctx.tx.update(notifications).set({ recipient: ERASED, subject: ERASED, body: ERASED, updatedAt: now }).where(eq(notifications.customerId, id));
    await emit(
      ctx,
      cancelled.map((n) => ({
        type: 'notification.failed' as const,
        subject: id,
        data: { notification_id: n.id, customer_id: id, channel: n.channel, template: n.template, trigger_event_id: n.eventId, attempts: n.attempts, reason: CANCELLED },
      })),
    );
    await redactSubject(ctx, id);
    await emit(ctx, [{ type: 'customer.erased', subject: id, data: { customer_id: id } }]);
    await recordAudit(ctx, { action: 'customer.erase', targetType: 'customer', targetId: id });
    return toCustomerResource(row!);
  });
}

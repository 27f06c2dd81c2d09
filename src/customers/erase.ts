import { eq } from 'drizzle-orm';
import { customers, notifications, users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit, redactSubject } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { nextStatus } from './lifecycle.ts';
import { loadCustomer } from './load.ts';
import { toCustomerResource } from './present.ts';

const ERASED = '[erased]';

/**
 * Erases a customer's personal data (right to erasure): name, email, phone,
 * metadata, its users' names and emails, notification recipients and bodies,
 * and the same fields inside its stored events. The id, status history, events
 * and audit trail stay. `erased` is final. Emits `customer.erased`.
 */
export function eraseCustomer(ctx: Ctx, id: string) {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadCustomer(ctx.tx, id);
    const status = nextStatus(current.status, 'erase');
    if (!status) throw new DomainError('invalid_transition', `customer ${id} is already erased`, { status: current.status, transition: 'erase' });
    const now = ctx.clock.now();
    const [row] = await ctx.tx
      .update(customers)
      .set({ status, name: null, email: null, phone: null, country: null, metadata: {}, erasedAt: now, version: current.version + 1, updatedAt: now })
      .where(eq(customers.id, id))
      .returning();
    await ctx.tx.update(users).set({ name: null, email: null, status: 'removed', updatedAt: now }).where(eq(users.customerId, id));
    await ctx.tx.update(notifications).set({ recipient: ERASED, subject: ERASED, body: ERASED, updatedAt: now }).where(eq(notifications.customerId, id));
    await redactSubject(ctx, id);
    await emit(ctx, [{ type: 'customer.erased', subject: id, data: { customer_id: id } }]);
    await recordAudit(ctx, { action: 'customer.erase', targetType: 'customer', targetId: id });
    return toCustomerResource(row!);
  });
}

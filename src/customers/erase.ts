import { and, eq, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customerNotifications, customers, idempotencyKeys, notifications, users } from '../../db/schema/index.ts';
import { ERASED, redactPersonal } from '../kernel/redact.ts';
import { recordAudit } from '../audit/record.ts';
import { emit, redactSubject } from '../events/outbox.ts';
import type { TxCtx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { nextStatus, type CustomerStatus } from './lifecycle.ts';
import { onClockOf } from './clock.ts';
import { loadCustomer, saveCustomer } from './load.ts';
import { toCustomerResource, type CustomerRow } from './present.ts';

const CANCELLED = 'customer erased before delivery';

/**
 * Responses stored under Idempotency-Keys are copies too: a replay after erasure
 * must not bring the data back. Finds them by the customer id or by an address
 * of the customer or its users (distinctive enough to search for).
 */
async function redactStoredResponses(ctx: TxCtx, id: string, needles: string[]): Promise<void> {
  const rows = await ctx.tx
    .select({ principal: idempotencyKeys.principal, key: idempotencyKeys.key, body: idempotencyKeys.responseBody })
    .from(idempotencyKeys)
    .where(or(...[id, ...needles].map((needle) => sql`instr(${idempotencyKeys.responseBody}, ${needle}) > 0`)));
  for (const row of rows) {
    const redacted = redactPersonal(JSON.parse(row.body!), needles) as Record<string, unknown>;
    // What erasure clears on the customer itself goes from its stored copies too.
    const body = redacted.object === 'customer' && redacted.id === id ? { ...redacted, country: null, metadata: {} } : redacted;
    await ctx.tx
      .update(idempotencyKeys)
      .set({ responseBody: JSON.stringify(body) })
      .where(and(eq(idempotencyKeys.principal, row.principal), eq(idempotencyKeys.key, row.key)));
  }
}

/** Masks the person's addresses in error texts the notification side kept. */
async function redactNotificationTexts(ctx: TxCtx, id: string, needles: string[]): Promise<void> {
  const sent = await ctx.tx.select({ id: notifications.id, lastError: notifications.lastError }).from(notifications).where(eq(notifications.customerId, id));
  for (const n of sent) {
    await ctx.tx
      .update(notifications)
      .set({ recipient: ERASED, subject: ERASED, body: ERASED, lastError: n.lastError === null ? null : (redactPersonal(n.lastError, needles) as string) })
      .where(eq(notifications.id, n.id));
  }
  const history = await ctx.tx
    .select({ id: customerNotifications.notificationId, reason: customerNotifications.reason })
    .from(customerNotifications)
    .where(eq(customerNotifications.customerId, id));
  for (const h of history) {
    if (h.reason) await ctx.tx.update(customerNotifications).set({ reason: redactPersonal(h.reason, needles) as string }).where(eq(customerNotifications.notificationId, h.id));
  }
}

/** `erased`, or a 409 `invalid_transition` when the customer already is. */
function requireErase(current: CustomerRow): CustomerStatus {
  const status = nextStatus(current.status, 'erase');
  if (!status) throw new DomainError('invalid_transition', `customer ${current.id} is already erased`, { current_status: current.status, transition: 'erase' });
  return status;
}

/** The customer to erase (404 when unknown); a 409 `invalid_transition` when it is already erased. */
export async function loadErasableCustomer(db: Executor, id: string): Promise<CustomerRow> {
  const current = await loadCustomer(db, id);
  requireErase(current);
  return current;
}

/**
 * Erases a customer's personal data (right to erasure), in the caller's transaction:
 * name, email, phone, metadata, its users' names and emails, notification recipients
 * and bodies, and the same fields inside its stored events and stored Idempotency-Key
 * responses. Pending notifications are cancelled (`notification.failed`). The id,
 * status history, events and audit trail stay. `erased` is final. Emits
 * `customer.erased`. Ending the customer's business (subscriptions, billing) is the
 * erasure process's (src/erasure/erase-customer.ts), which calls this last.
 */
export async function erasePersonalData(outer: TxCtx, current: CustomerRow) {
  // A sandbox customer is erased at its test clock's time (src/customers/clock.ts).
  const ctx = await onClockOf(outer, current);
  const id = current.id;
  const status = requireErase(current);
  const people = await ctx.tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.customerId, id));
  // Values searched for and masked inside free text; very short ones would mask unrelated words.
  const needles = [...new Set([current.email, current.phone, current.name, ...people.flatMap((u) => [u.email, u.name])])].filter(
    (v): v is string => !!v && v.length >= 4,
  );
  const now = ctx.clock.now();
  const row = await saveCustomer(ctx, current, { status, name: null, email: null, phone: null, country: null, metadata: {}, paymentMethod: null, erasedAt: now });
  await ctx.tx.update(users).set({ name: null, email: null, status: 'removed', updatedAt: now }).where(eq(users.customerId, id));
  // Nothing more goes out to an erased customer: pending notifications fail now.
  const cancelled = await ctx.tx
    .update(notifications)
    .set({ status: 'failed', nextAttemptAt: null, lastError: CANCELLED, updatedAt: now })
    .where(and(eq(notifications.customerId, id), eq(notifications.status, 'pending')))
    .returning();
  await emit(
    ctx,
    cancelled.map((n) => ({
      type: 'notification.failed' as const,
      subject: id,
      data: { notification_id: n.id, customer_id: id, channel: n.channel, template: n.template, trigger_event_id: n.eventId, attempts: n.attempts, reason: CANCELLED },
    })),
  );
  await redactNotificationTexts(ctx, id, needles);
  await redactSubject(ctx, id, needles);
  await redactStoredResponses(ctx, id, needles);
  await emit(ctx, [{ type: 'customer.erased', subject: id, data: { customer_id: id } }]);
  await recordAudit(ctx, { action: 'customer.erase', targetType: 'customer', targetId: id });
  return toCustomerResource(row);
}

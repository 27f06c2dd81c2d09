import { and, eq, or, sql } from 'drizzle-orm';
import { customers, idempotencyKeys, notifications, users } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit, redactSubject } from '../events/outbox.ts';
import { withTransaction, type Ctx, type TxCtx } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { nextStatus } from './lifecycle.ts';
import { loadCustomer } from './load.ts';
import { toCustomerResource } from './present.ts';

const ERASED = '[erased]';
const CANCELLED = 'customer erased before delivery';
const PERSONAL_KEYS = new Set(['name', 'email', 'phone']);

/**
 * Nulls personal fields (and, on the customer itself, what erasure clears) and
 * masks the given addresses inside free text (problem details quote emails).
 */
function redactResponse(value: unknown, id: string, personal: string[]): unknown {
  if (typeof value === 'string') return personal.reduce((text, p) => text.replaceAll(p, ERASED), value);
  if (Array.isArray(value)) return value.map((v) => redactResponse(v, id, personal));
  if (value && typeof value === 'object') {
    const redacted = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, PERSONAL_KEYS.has(k) && typeof v === 'string' ? null : redactResponse(v, id, personal)]),
    );
    return redacted.object === 'customer' && redacted.id === id ? { ...redacted, country: null, metadata: {} } : redacted;
  }
  return value;
}

/**
 * Responses stored under Idempotency-Keys are copies too: a replay after erasure
 * must not bring the data back. Finds them by the customer id or by an email or
 * phone number of the customer or its users (distinctive enough to search for).
 */
async function redactStoredResponses(ctx: TxCtx, id: string, personal: string[]): Promise<void> {
  const rows = await ctx.tx
    .select({ principal: idempotencyKeys.principal, key: idempotencyKeys.key, body: idempotencyKeys.responseBody })
    .from(idempotencyKeys)
    .where(or(...[id, ...personal].map((needle) => sql`instr(${idempotencyKeys.responseBody}, ${needle}) > 0`)));
  for (const row of rows) {
    let body: string;
    try {
      body = JSON.stringify(redactResponse(JSON.parse(row.body!), id, personal));
    } catch {
      body = redactResponse(row.body ?? '', id, personal) as string;
    }
    await ctx.tx
      .update(idempotencyKeys)
      .set({ responseBody: body })
      .where(and(eq(idempotencyKeys.principal, row.principal), eq(idempotencyKeys.key, row.key)));
  }
}

/**
 * Erases a customer's personal data (right to erasure): name, email, phone,
 * metadata, its users' names and emails, notification recipients and bodies,
 * and the same fields inside its stored events and stored Idempotency-Key
 * responses. Pending notifications are cancelled (`notification.failed`).
 * The id, status history, events and audit trail stay. `erased` is final.
 * Emits `customer.erased`.
 */
export function eraseCustomer(ctx: Ctx, id: string) {
  return withTransaction(ctx, async (ctx) => {
    const current = await loadCustomer(ctx.tx, id);
    const status = nextStatus(current.status, 'erase');
    if (!status) throw new DomainError('invalid_transition', `customer ${id} is already erased`, { current_status: current.status, transition: 'erase' });
    const people = await ctx.tx.select({ email: users.email }).from(users).where(eq(users.customerId, id));
    const addresses = [current.email, current.phone, ...people.map((u) => u.email)].filter((v): v is string => !!v);
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
    await redactStoredResponses(ctx, id, [...new Set(addresses)]);
    await emit(ctx, [{ type: 'customer.erased', subject: id, data: { customer_id: id } }]);
    await recordAudit(ctx, { action: 'customer.erase', targetType: 'customer', targetId: id });
    return toCustomerResource(row!);
  });
}

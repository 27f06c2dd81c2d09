import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { notifications } from '../../db/schema/index.ts';
import { storageFaultOf } from '../../db/storage-fault.ts';
import { describeError } from '../kernel/errors.ts';
import { emit } from '../events/outbox.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import type { Channels } from './channels/channel.ts';
import { redactCodes } from './templates.ts';

export interface DispatchOptions {
  channels: Channels;
  maxAttempts: number;
  /** Backoff after the first failure; doubles with each further one. */
  backoffMs: number;
  /** How long a claimed notification belongs to this dispatcher (covers a crash mid-send). */
  leaseMs?: number;
  batchSize?: number;
}

/**
 * Sends due notifications once. Each is claimed with a lease, sent, then marked
 * `sent` (emitting `notification.sent`) or, after the last attempt, `failed`
 * (emitting `notification.failed`); in between it is retried with exponential
 * backoff. Returns how many notifications it attempted.
 */
export async function dispatchDue(ctx: Ctx, options: DispatchOptions): Promise<number> {
  const now = ctx.clock.now();
  const leaseMs = options.leaseMs ?? 60_000;
  const isDue = and(eq(notifications.status, 'pending'), lte(notifications.nextAttemptAt, now));
  const due = await ctx.db
    .select({ id: notifications.id })
    .from(notifications)
    .where(isDue)
    .orderBy(asc(notifications.nextAttemptAt))
    .limit(options.batchSize ?? 10);
  if (due.length === 0) return 0;
  const claimed = await ctx.transactor.write((tx) =>
    tx
      .update(notifications)
      .set({ nextAttemptAt: now + leaseMs })
      .where(and(inArray(notifications.id, due.map((d) => d.id)), isDue))
      .returning(),
  );

  for (const n of claimed) {
    const channel = options.channels[n.channel];
    let error: string | null = null;
    try {
      await channel.send({ id: n.id, to: n.recipient, subject: n.subject, body: n.body, template: n.template, requestId: n.requestId });
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const attempts = n.attempts + 1;
    const outcome = {
      notification_id: n.id,
      customer_id: n.customerId,
      channel: n.channel,
      template: n.template,
      trigger_event_id: n.eventId,
      attempts,
    };
    // A settled message keeps no one-time code: the code lived only as long as it had to be sent.
    // The notification may have been settled meanwhile (its customer erased): only a pending one changes.
    // Also still ours: if the lease ran out and another dispatcher re-claimed it, that one settles it.
    const stillPending = and(eq(notifications.id, n.id), eq(notifications.status, 'pending'), eq(notifications.nextAttemptAt, n.nextAttemptAt!));
    // The outcome's event names the request whose events led to the message.
    await whileClaimed(ctx, n.nextAttemptAt!, () => withTransaction(n.requestId ? { ...ctx, requestId: n.requestId } : ctx, async (ctx) => {
      const at = ctx.clock.now();
      if (error === null) {
        const marked = await ctx.tx.update(notifications).set({ status: 'sent', body: redactCodes(n.body), attempts, sentAt: at, nextAttemptAt: null, lastError: null, updatedAt: at }).where(stillPending).returning({ id: notifications.id });
        if (marked.length > 0) await emit(ctx, [{ type: 'notification.sent', subject: n.customerId, data: outcome }]);
      } else if (attempts >= options.maxAttempts) {
        const marked = await ctx.tx.update(notifications).set({ status: 'failed', body: redactCodes(n.body), attempts, nextAttemptAt: null, lastError: error, updatedAt: at }).where(stillPending).returning({ id: notifications.id });
        if (marked.length > 0) await emit(ctx, [{ type: 'notification.failed', subject: n.customerId, data: { ...outcome, reason: error } }]);
      } else {
        const retryAt = at + options.backoffMs * 2 ** (attempts - 1);
        await ctx.tx.update(notifications).set({ attempts, nextAttemptAt: retryAt, lastError: error, updatedAt: at }).where(stillPending);
      }
    }));
    ctx.metrics.notification(n.channel, error === null ? 'sent' : attempts >= options.maxAttempts ? 'failed' : 'retrying');
    if (error) ctx.logger.warn('notification not sent', { id: n.id, channel: channel.name, attempts, error, request_id: n.requestId });
  }
  return claimed.length;
}

/**
 * Records a send's outcome, retrying while the storage refuses the write (disk full, read-only)
 * and the claim is still ours: the message is out, and giving up would send it again once the
 * lease ends. Past the lease, another dispatcher may have taken it, so the error is thrown.
 */
async function whileClaimed(ctx: Ctx, leaseEnds: number, write: () => Promise<void>): Promise<void> {
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    try {
      return await write();
    } catch (error) {
      if (!storageFaultOf(error) || ctx.clock.now() + delayMs >= leaseEnds) throw error;
      ctx.logger.warn('notification outcome not recorded; retrying', { error: describeError(error), retry_in_ms: delayMs });
      await new Promise<void>((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** How many notifications are waiting to be sent (for tests and metrics). */
export async function pendingCount(ctx: Pick<Ctx, 'db'>): Promise<number> {
  const [row] = await ctx.db.select({ n: sql<number>`count(*)` }).from(notifications).where(eq(notifications.status, 'pending'));
  return row?.n ?? 0;
}

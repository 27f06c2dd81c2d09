import { subscriptionAdjustments } from '../../db/schema/index.ts';
import { toIso } from '../kernel/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import { newId } from '../kernel/ids.ts';
import { conflict, DomainError } from '../kernel/errors.ts';
import { money, type Money } from '../kernel/money.ts';
import type { SubscriptionRow } from './present.ts';
import { prorate, type ProrationLine } from './proration.ts';

/** A stored proration line as events carry it. */
export interface StoredProrationLine {
  id: string;
  kind: ProrationLine['kind'];
  amount: Money;
  from: string;
  to: string;
}

/**
 * Stores proration lines (src/subscriptions/proration.ts) in subscription_adjustments, where the
 * subscription's next invoice takes them (src/billing/draft.ts); `describe` words each line.
 */
export async function storeAdjustments(ctx: TxCtx, subscriptionId: string, lines: readonly ProrationLine[], describe: (line: ProrationLine) => string): Promise<StoredProrationLine[]> {
  const now = ctx.clock.now();
  const stored: StoredProrationLine[] = [];
  for (const line of lines) {
    const id = newId('sad', now);
    await ctx.tx.insert(subscriptionAdjustments).values({
      id,
      subscriptionId,
      kind: line.kind,
      amount: line.amount.amount,
      currency: line.amount.currency,
      description: describe(line),
      createdAt: now,
      invoicedAt: null,
    });
    stored.push({ id, kind: line.kind, amount: line.amount, from: toIso(line.from), to: toIso(line.to) });
  }
  return stored;
}

/**
 * The proration of a change to what a subscription's period costs, from `before` to `after`, at
 * `now` (src/subscriptions/proration.ts, the formula a plan change uses): none while trialing (a
 * trial billed nothing). A subscription whose period ended but was not renewed yet is a 409: the
 * change would prorate a period already billed.
 */
export function prorateMidPeriod(sub: SubscriptionRow, before: Money, after: Money, now: number): { lines: ProrationLine[]; net: Money } {
  if (now < sub.currentPeriodStart || now > sub.currentPeriodEnd) {
    throw conflict(`the current period of ${sub.id} ended at ${toIso(sub.currentPeriodEnd)} and has not been renewed yet`, { current_period_end: toIso(sub.currentPeriodEnd) });
  }
  if (sub.status === 'trialing') return { lines: [], net: money(0, after.currency) };
  const { lines, net } = prorate({ oldPrice: before, newPrice: after, periodStart: sub.currentPeriodStart, periodEnd: sub.currentPeriodEnd, changeAt: now });
  return { lines, net };
}

/** A canceled subscription takes no change: 409 `invalid_transition` naming what was tried. */
export function assertChangeable(sub: SubscriptionRow, transition: string, what: string): void {
  if (sub.status === 'canceled') {
    throw new DomainError('invalid_transition', `cannot ${what} of a canceled subscription`, { current_status: sub.status, transition });
  }
}

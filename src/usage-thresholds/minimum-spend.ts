import { onCustomerClock } from '../customers/clock.ts';
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { subscriptionMinimumSpends } from '../../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { emit } from '../events/outbox.ts';
import { toIso } from '../kernel/clock.ts';
import type { TxCtx } from '../kernel/context.ts';
import { conflict } from '../kernel/errors.ts';
import { loadPlanVersion } from '../plans/load.ts';
import { loadSubscription } from '../subscriptions/load.ts';
import type { MinimumSpendResource, SetMinimumSpendInput } from './contract.ts';

/**
 * Sets the subscription's minimum spend per period in its plan's currency (0 clears it);
 * 409 on a canceled subscription. It applies to every period-end invoice drafted from
 * now on, including the one of the current period. Emits `subscription.minimum_spend_set`; audited.
 */
export async function setMinimumSpend(outer: TxCtx, subscriptionId: string, input: SetMinimumSpendInput): Promise<MinimumSpendResource> {
  const sub = await loadSubscription(outer.tx, subscriptionId);
  // A sandbox customer's minimum spend is set at its test clock's time.
  const ctx = await onCustomerClock(outer, sub.customerId);
  if (sub.status === 'canceled') throw conflict(`subscription ${sub.id} is canceled`, { status: sub.status });
  const { currency } = await loadPlanVersion(ctx.tx, sub.planId, sub.planVersion, sub.currency);
  const now = ctx.clock.now();
  const values = { subscriptionId: sub.id, amount: input.amount, currency, updatedAt: now };
  const [previous] = await ctx.tx.select().from(subscriptionMinimumSpends).where(eq(subscriptionMinimumSpends.subscriptionId, sub.id));
  await ctx.tx.insert(subscriptionMinimumSpends).values(values).onConflictDoUpdate({ target: subscriptionMinimumSpends.subscriptionId, set: values });
  await emit(ctx, [{ type: 'subscription.minimum_spend_set', subject: sub.id, data: { subscription_id: sub.id, minimum_spend: { amount: input.amount, currency } } }]);
  await recordAudit(ctx, { action: 'subscription.minimum_spend', targetType: 'subscription', targetId: sub.id, data: { amount: input.amount, currency, previous_amount: previous?.amount ?? 0 } });
  return { object: 'minimum_spend', subscription_id: sub.id, amount: { amount: input.amount, currency }, updated_at: toIso(now) };
}

/** The subscription's minimum spend as the API shows it: 0 in its plan's currency when none was ever set (404 for an unknown subscription). */
export async function getMinimumSpend(db: Executor, subscriptionId: string): Promise<MinimumSpendResource> {
  const sub = await loadSubscription(db, subscriptionId);
  const [row] = await db.select().from(subscriptionMinimumSpends).where(eq(subscriptionMinimumSpends.subscriptionId, sub.id));
  if (row) return { object: 'minimum_spend', subscription_id: sub.id, amount: { amount: row.amount, currency: row.currency }, updated_at: toIso(row.updatedAt) };
  const { currency } = await loadPlanVersion(db, sub.planId, sub.planVersion, sub.currency);
  return { object: 'minimum_spend', subscription_id: sub.id, amount: { amount: 0, currency }, updated_at: toIso(sub.createdAt) };
}

/** The subscription's minimum spend per period, or null when none is set. */
export async function minimumSpendOf(db: Executor, subscriptionId: string): Promise<{ amount: number; currency: string } | null> {
  const [row] = await db.select().from(subscriptionMinimumSpends).where(eq(subscriptionMinimumSpends.subscriptionId, subscriptionId));
  return row && row.amount > 0 ? { amount: row.amount, currency: row.currency } : null;
}

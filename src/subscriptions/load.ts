import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { subscriptions } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import { notFound } from '../kernel/errors.ts';
import { saveVersioned } from '../kernel/versioned.ts';
import type { SubscriptionRow } from './present.ts';

/** Reads a subscription or fails with not_found. */
export async function loadSubscription(db: Executor, id: string): Promise<SubscriptionRow> {
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
  if (!row) throw notFound('Subscription', id);
  return row;
}

/**
 * Writes `changes` to a subscription read at `current.version`, bumping the version;
 * a concurrent writer that got there first makes this a conflict instead of a lost update.
 */
export const saveSubscription = (ctx: TxCtx, current: SubscriptionRow, changes: Partial<SubscriptionRow>): Promise<SubscriptionRow> =>
  saveVersioned(ctx, subscriptions, 'subscription', current, changes);

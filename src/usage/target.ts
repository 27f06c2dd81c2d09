import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { prepared } from '../../db/prepared.ts';
import { subscriptions } from '../../db/schema/index.ts';
import type { TxCtx } from '../kernel/context.ts';
import type { PlanVersionRow } from '../plans/present.ts';
import type { SubscriptionRow } from '../subscriptions/present.ts';
import type { RefusalReason, UsageRecordInput } from './contract.ts';

/** The subscription a usage record counts against, or why there is none. */
export type Target = { sub: SubscriptionRow } | { reason: RefusalReason };

// A batch runs these once per record (up to 1,000 a request): each is built once per connection.
const namedSubscription = prepared((db) =>
  db.select().from(subscriptions).where(and(eq(subscriptions.id, sql.placeholder('id')), eq(subscriptions.customerId, sql.placeholder('customerId')))).prepare(),
);
const liveSubscriptions = prepared((db) =>
  db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.customerId, sql.placeholder('customerId')), ne(subscriptions.status, 'canceled')))
    .orderBy(desc(subscriptions.id))
    .prepare(),
);

/** A plan version meters tokens when it takes any: some included, or overage past them. */
const metersTokens = (plan: PlanVersionRow) => plan.includedTokens > 0 || plan.quotaPolicy === 'overage';

/**
 * The live subscription a record counts against: the one it names; else the customer's only
 * live one; else, of several (a customer an operator allowed more than one), the only one whose
 * plan meters tokens. Several that meter tokens, and none named, is `ambiguous_subscription`.
 */
export async function targetOf(ctx: TxCtx, input: Pick<UsageRecordInput, 'customer_id' | 'subscription_id'>, termsOf: (sub: SubscriptionRow) => Promise<PlanVersionRow>): Promise<Target> {
  if (input.subscription_id) {
    const sub = await namedSubscription(ctx.tx).get({ id: input.subscription_id, customerId: input.customer_id });
    if (!sub) return { reason: 'no_subscription' };
    return sub.status === 'canceled' ? { reason: 'subscription_canceled' } : { sub };
  }
  const live = await liveSubscriptions(ctx.tx).all({ customerId: input.customer_id });
  if (live.length === 0) return { reason: 'no_subscription' };
  if (live.length === 1) return { sub: live[0]! };
  const metered: SubscriptionRow[] = [];
  for (const sub of live) if (metersTokens(await termsOf(sub))) metered.push(sub);
  return metered.length === 1 ? { sub: metered[0]! } : { reason: 'ambiguous_subscription' };
}

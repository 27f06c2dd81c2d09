import { and, eq, ne } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers, planVersions, subscriptions } from '../../db/schema/index.ts';
import { notFound, validationError } from '../kernel/errors.ts';

/**
 * Checks that the customer exists (404) and that `currency` is the one it is billed
 * in (400 naming `currency`): until customers carry a billing currency of their own,
 * that is the currency of its subscriptions' plan versions. A customer without
 * subscriptions may fund a wallet in any currency.
 */
export async function requireWalletCurrency(db: Executor, customerId: string, currency: string): Promise<void> {
  const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
  if (!customer) throw notFound('Customer', customerId);
  const [other] = await db
    .select({ currency: planVersions.currency })
    .from(subscriptions)
    .innerJoin(planVersions, and(eq(planVersions.planId, subscriptions.planId), eq(planVersions.version, subscriptions.planVersion)))
    .where(and(eq(subscriptions.customerId, customerId), ne(planVersions.currency, currency)))
    .limit(1);
  if (other) throw validationError([{ field: 'currency', message: `must be the customer's billing currency, ${other.currency}` }]);
}

/** The customer exists, or a 404. */
export async function requireCustomer(db: Executor, customerId: string): Promise<void> {
  const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
  if (!customer) throw notFound('Customer', customerId);
}

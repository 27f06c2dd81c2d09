import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { customers } from '../../db/schema/index.ts';
import { notFound, validationError } from '../kernel/errors.ts';

/**
 * Checks that the customer exists (404) and that `currency` is the one it is billed in
 * (`customers.currency`, set by its first subscription; 400 naming `currency`). A customer
 * not billed yet may fund a wallet in any currency; the wallet of another currency than the
 * one its first subscription then chooses stays unused (invoices draw in their own currency).
 */
export async function requireWalletCurrency(db: Executor, customerId: string, currency: string): Promise<void> {
  const [customer] = await db.select({ id: customers.id, currency: customers.currency }).from(customers).where(eq(customers.id, customerId));
  if (!customer) throw notFound('Customer', customerId);
  if (customer.currency && customer.currency !== currency) throw validationError([{ field: 'currency', message: `must be the customer's billing currency, ${customer.currency}` }]);
}

/** The customer exists, or a 404. */
export async function requireCustomer(db: Executor, customerId: string): Promise<void> {
  const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
  if (!customer) throw notFound('Customer', customerId);
}

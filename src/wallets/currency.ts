import type { Executor } from '../../db/client.ts';
import { loadCustomer } from '../customers/load.ts';
import { DomainError, validationError } from '../kernel/errors.ts';

/**
 * The currency of the customer's wallet a request names, read with one load of the customer
 * (404 when there is none): `currency` when given, which must then be the customer's billing
 * currency (`customers.currency`, set by its first subscription; 400 naming `currency`), else
 * the billing currency (409 while the customer has none). A customer not billed yet may fund a
 * wallet in any currency; the wallet of another currency than the one its first subscription
 * then chooses stays unused (invoices draw in their own currency).
 */
export async function walletCurrency(db: Executor, customerId: string, currency: string | undefined): Promise<string> {
  const customer = await loadCustomer(db, customerId);
  if (currency === undefined) {
    if (customer.currency) return customer.currency;
    throw new DomainError('conflict', `customer ${customerId} has no billing currency yet (its first subscription sets it): name the wallet's currency`, {
      issues: [{ field: 'currency', message: 'is needed while the customer has no billing currency' }],
    });
  }
  if (customer.currency && customer.currency !== currency) throw validationError([{ field: 'currency', message: `must be the customer's billing currency, ${customer.currency}` }]);
  return currency;
}

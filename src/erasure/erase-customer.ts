import { revokeCustomerApiKeys } from '../api-keys/revoke.ts';
import { stopBillingCustomer } from '../billing/stop-billing.ts';
import { erasePersonalData, loadErasableCustomer } from '../customers/erase.ts';
import { withTransaction, type Ctx } from '../kernel/context.ts';
import { endCustomerUserSessions } from '../portal/sessions.ts';
import { cancelCustomerSubscriptions } from '../subscriptions/cancel.ts';
import { dropCustomerWebhooks } from '../webhooks/drop.ts';

/**
 * Erasing a customer (right to erasure) is a process across domains, so it sits
 * above them: customers, subscriptions and billing each do their part and none of
 * them knows the others take part. In one transaction, in this order:
 *   1. the customer must exist and not be erased yet (404, 409 `invalid_transition`);
 *   2. every live subscription is canceled now with the cancel verb
 *      (`subscription.canceled`/`ended`, reason `customer_erased`);
 *   3. billing stops: drafts voided, open invoices kept but no longer collected
 *      automatically (src/billing/stop-billing.ts);
 *   4. its webhook endpoints go, with their deliveries (src/webhooks/drop.ts);
 *   5. every credential ends: its API keys are revoked (`api_key.revoked`), whoever made
 *      them, and its users' portal tokens and one-time tokens stop working;
 *   6. the personal data goes (src/customers/erase.ts), `customer.erased`.
 * New usage is refused by the usage verb once the customer is `erased`.
 */
export function eraseCustomer(ctx: Ctx, id: string) {
  return withTransaction(ctx, async (ctx) => {
    const customer = await loadErasableCustomer(ctx.tx, id);
    await cancelCustomerSubscriptions(ctx, id, 'customer_erased');
    await stopBillingCustomer(ctx, id);
    await dropCustomerWebhooks(ctx, id);
    await revokeCustomerApiKeys(ctx, id);
    await endCustomerUserSessions(ctx, id);
    return erasePersonalData(ctx, customer);
  });
}

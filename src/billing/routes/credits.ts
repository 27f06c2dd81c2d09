import { Hono } from 'hono';
import { customerParams } from '../../customers/contract.ts';
import type { AppEnv } from '../../http/env.ts';
import { doc } from '../../http/openapi.ts';
import { validate } from '../../http/validate.ts';
import { getCreditBalance } from '../queries.ts';
import { creditBalanceResource } from '../contract.ts';

/** /v1/customers/:id/credits: a customer's credit ledger and balance. */
export function customerCreditRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/:id/credits',
    doc({ summary: "A customer's credit", description: 'The credit ledger (grants positive, credit used by invoices negative) and the balance per currency; finalization applies the balance to the next invoice.', tags: ['Customers', 'Invoices'], access: 'viewer', scope: 'invoices:read', tenant: 'customer', success: { status: 200, description: 'Balance and ledger', schema: creditBalanceResource }, errors: [404] }),
    validate('param', customerParams),
    async (c) => c.json(await getCreditBalance(c.get('deps').db, c.req.valid('param').id)),
  );
  return app;
}

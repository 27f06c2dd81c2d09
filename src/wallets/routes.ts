import { Hono } from 'hono';
import * as v from 'valibot';
import { pageSchema } from '../../db/paging.ts';
import { collectionSettings } from '../billing/collection-settings.ts';
import { invoiceResource } from '../billing/contract.ts';
import { setAutoTopUp, topUpWalletWrite } from '../billing/wallet-top-up.ts';
import { customerParams } from '../customers/contract.ts';
import { runCommand } from '../http/command.ts';
import { runSaga } from '../http/saga.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { paymentResource } from '../payments/contract.ts';
import { autoTopUpInput, grantCreditInput, listWalletEntriesQuery, topUpInput, walletEntryResource, walletResource } from './contract.ts';
import { grantWalletCredit } from './grant.ts';
import { getWallet, listWalletEntries } from './queries.ts';

const tags = ['Wallets'];
const wallet = { status: 200, description: "The customer's wallets", schema: walletResource };
const amounts = 'Amounts are signed integer minor units of the wallet currency.';
const topUpResource = v.object({ object: v.literal('wallet_top_up'), invoice: invoiceResource, payment: paymentResource });

/** /v1/customers/:id/wallet: prepaid credit, its ledger, grants, top-ups and auto top-up. */
export function walletRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/:id/wallet',
    doc({ summary: "A customer's wallet", description: `Balance per currency (Σ ledger entries), auto top-up settings and the grants that will expire. ${amounts}`, tags, access: 'viewer', scope: 'wallet:read', tenant: 'customer', success: wallet, errors: [404] }),
    validate('param', customerParams),
    async (c) => c.json(await getWallet(c.get('deps').db, c.req.valid('param').id)),
  );

  app.get(
    '/:id/wallet/entries',
    doc({ summary: "A customer's wallet ledger", description: `Newest first; filter by \`currency\`. Pass \`next_cursor\` back as \`cursor\`. Kinds: top_up, grant, invoice_voided (credits), invoice_drawn, expired (debits). ${amounts}`, tags, access: 'viewer', scope: 'wallet:read', tenant: 'customer', success: { status: 200, description: 'A page of entries', schema: pageSchema(walletEntryResource) }, errors: [404] }),
    validate('param', customerParams),
    validate('query', listWalletEntriesQuery),
    async (c) => c.json(await listWalletEntries(c.get('deps').db, c.req.valid('param').id, c.req.valid('query'))),
  );

  app.post(
    '/:id/wallet/grants',
    doc({
      summary: 'Grant wallet credit',
      description: 'Free credit in the customer\'s wallet, optionally expiring at `expires_at` (what is left of it then is expired by the billing worker). Invoices draw from the credit that expires first. Operators only; audited. Emits `wallet.credited`.',
      tags,
      access: 'operator',
      tenant: 'none',
      success: { status: 201, description: 'The grant entry', schema: walletEntryResource },
      errors: [404],
      idempotent: true,
    }),
    validate('param', customerParams),
    validate('json', grantCreditInput),
    (c) => runCommand(c, 201, (ctx) => grantWalletCredit(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.post(
    '/:id/wallet/top-ups',
    doc({
      summary: 'Top up the wallet',
      description:
        "Opens a `wallet_top_up` invoice of `amount` (no tax, finalized at once) and collects it now with the customer's payment method through the payment saga; the answer has the invoice and the payment. The wallet is credited (`wallet.credited`, kind `top_up`) only when the invoice is paid; a declined top-up credits nothing and is retried by dunning like any invoice. `currency` must be the customer's billing currency.",
      tags,
      access: 'operator',
      scope: 'wallet:write',
      tenant: 'customer',
      tenantFields: ['amount', 'currency'],
      success: { status: 201, description: 'The top-up invoice and its payment', schema: topUpResource },
      errors: [404],
      idempotent: true,
    }),
    validate('param', customerParams),
    validate('json', topUpInput),
    (c) => runSaga(c, 201, topUpWalletWrite(c.req.valid('param').id, c.req.valid('json'), collectionSettings(c.get('ctx'), c.get('deps').payments))),
  );

  app.put(
    '/:id/wallet/auto-top-up',
    doc({
      summary: 'Set the auto top-up',
      description:
        'When `enabled` and the balance falls under `threshold` (after an invoice drew from the wallet, a grant expired, or now), a top-up of `amount` is opened and collected by the billing worker, one at a time (`wallet.auto_top_up_started`). `currency` defaults to the customer\'s billing currency (409 naming `currency` while it has none: its first subscription sets it). Emits `wallet.auto_top_up_configured`; audited.',
      tags,
      access: 'operator',
      scope: 'wallet:write',
      tenant: 'customer',
      tenantFields: ['enabled', 'threshold', 'amount', 'currency'],
      success: wallet,
      errors: [404, 409],
    }),
    validate('param', customerParams),
    validate('json', autoTopUpInput),
    (c) => runCommand(c, 200, (ctx) => setAutoTopUp(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const walletMounts: Mount[] = [mount('/customers', walletRoutes)];

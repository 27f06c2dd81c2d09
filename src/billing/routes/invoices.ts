import { Hono } from 'hono';
import { runCommand } from '../../http/command.ts';
import { runSaga } from '../../http/saga.ts';
import type { AppEnv } from '../../http/env.ts';
import { doc } from '../../http/openapi.ts';
import { pageSchema } from '../../../db/paging.ts';
import { validate } from '../../http/validate.ts';
import { paymentResource } from '../../payments/contract.ts';
import { collectionSettings } from '../collection-settings.ts';
import { finalizeInvoiceNow } from '../finalize.ts';
import { payInvoiceWrite } from '../pay.ts';
import { getInvoice, listInvoicePayments, listInvoices } from '../queries.ts';
import { invoiceParams, invoiceResource, listInvoicesQuery, payInvoiceInput } from '../contract.ts';
import { voidInvoice } from '../void.ts';
import type { TxCtx } from '../../kernel/context.ts';

const tags = ['Invoices'];
const invoice = { status: 200, description: 'The invoice with its lines', schema: invoiceResource };
const payment = { status: 200, description: 'The payment with its saga steps', schema: paymentResource };
const amounts = 'Amounts are signed integer minor units of `currency` (cents for EUR): subtotal = Σ lines, tax = round_half_up(subtotal × tax_rate_bps / 10,000), total = subtotal + tax, amount_due = total − credit_applied.';

/** /v1/invoices: what the billing worker billed, finalizing, voiding, paying and the payments of each. */
export function invoiceRoutes() {
  const app = new Hono<AppEnv>();

  app.get(
    '/',
    doc({ summary: 'List invoices', description: `Newest first; filter by \`status\`, \`customer_id\` or \`subscription_id\`. Pass \`next_cursor\` back as \`cursor\`. ${amounts}`, tags, access: 'viewer', scope: 'invoices:read', tenant: 'list', success: { status: 200, description: 'A page of invoices', schema: pageSchema(invoiceResource) } }),
    validate('query', listInvoicesQuery),
    async (c) => c.json(await listInvoices(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/:id',
    doc({ summary: 'Get an invoice', description: amounts, tags, access: 'viewer', scope: 'invoices:read', tenant: 'invoice', success: invoice, errors: [404] }),
    validate('param', invoiceParams),
    async (c) => c.json(await getInvoice(c.get('deps').db, c.req.valid('param').id)),
  );

  /** An operator's move of one invoice through its lifecycle: the same shape for void and finalize. */
  const transition = (path: string, summary: string, description: string, verb: (ctx: TxCtx, id: string) => Promise<unknown>) =>
    app.post(
      path,
      doc({ summary, description, tags, access: 'operator', scope: 'invoices:write', tenant: 'none', success: invoice, errors: [404, 409], idempotent: true }),
      validate('param', invoiceParams),
      (c) => runCommand(c, 200, (ctx) => verb(ctx, c.req.valid('param').id)),
    );

  transition(
    '/:id/void',
    'Void an invoice',
    'A draft or open invoice becomes `void` (409 otherwise): nothing more is collected, dunning stops, credit it used goes back to the customer. A payment being charged at that moment is refunded by its saga. Emits `invoice.voided`.',
    voidInvoice,
  );
  transition(
    '/:id/finalize',
    'Finalize a draft invoice now',
    "A draft becomes `open` before its review window (`INVOICE_DRAFT_MINUTES`) ends, as the billing worker would finalize it: it gets the next number, the customer's credit is applied, and it is collected automatically (or paid at once when nothing is left to pay). Emits `invoice.finalized`. Any other status is 409 `invalid_transition`, as for voiding.",
    finalizeInvoiceNow,
  );

  app.post(
    '/:id/pay',
    doc({
      summary: 'Pay an invoice now',
      description:
        "Runs the payment saga for an open invoice with `payment_method` or the customer's one on file, and answers with the payment when the saga has finished: `succeeded` (the invoice is paid), `failed` (declined or timed out; a manual attempt does not advance dunning) or `refunded`. 409 when the invoice is not open or a payment of it is already in flight. The sandbox provider's tokens: tok_ok succeeds, tok_decline and tok_insufficient_funds decline, tok_timeout times out.",
      tags,
      access: 'operator',
      scope: 'invoices:write',
      tenant: 'invoice',
      tenantFields: ['payment_method'],
      success: payment,
      errors: [404, 409],
      idempotent: true,
    }),
    validate('param', invoiceParams),
    validate('json', payInvoiceInput),
    (c) => runSaga(c, 200, payInvoiceWrite(c.req.valid('param').id, c.req.valid('json') ?? {}, collectionSettings(c.get('ctx'), c.get('deps').payments))),
  );

  app.get(
    '/:id/payments',
    doc({ summary: "List an invoice's payments", description: 'Every attempt, oldest first, with its saga steps.', tags: [...tags, 'Payments'], access: 'viewer', scope: 'invoices:read', tenant: 'invoice', success: { status: 200, description: 'The payments', schema: pageSchema(paymentResource) }, errors: [404] }),
    validate('param', invoiceParams),
    async (c) => c.json(await listInvoicePayments(c.get('deps').db, c.req.valid('param').id)),
  );

  return app;
}

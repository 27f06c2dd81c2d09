import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { validate } from '../http/validate.ts';
import { getPayment } from './queries.ts';
import { paymentParams, paymentResource } from './contract.ts';

/** /v1/payments/:id: one payment attempt with its saga's steps. */
export function paymentRoutes() {
  const app = new Hono<AppEnv>();
  app.get(
    '/:id',
    doc({ summary: 'Get a payment', description: 'A payment attempt and the steps its saga took, in order: initiated, charge, invoice_paid, completed; or charge failed; or fulfil failed and refund.', tags: ['Payments'], access: 'viewer', scope: 'invoices:read', tenant: 'payment', success: { status: 200, description: 'The payment with its saga steps', schema: paymentResource }, errors: [404] }),
    validate('param', paymentParams),
    async (c) => c.json(await getPayment(c.get('deps').db, c.req.valid('param').id)),
  );
  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const paymentMounts: Mount[] = [mount('/payments', paymentRoutes)];

import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { runCommand } from '../http/command.ts';
import { doc } from '../http/openapi.ts';
import { mount, type Mount } from '../http/mount.ts';
import { pageSchema } from '../../db/paging.ts';
import { validate } from '../http/validate.ts';
import { onboardCustomer } from './onboard.ts';
import { getCustomer, listCustomerNotifications, listCustomers } from './queries.ts';
import { customerParams, customerResource, listCustomersQuery, notificationEntry, onboardCustomerInput, promoteInput, updateCustomerInput } from './contract.ts';
import { activateCustomer, deactivateCustomer, promoteCustomer } from './transition.ts';
import { eraseCustomer } from '../erasure/erase-customer.ts';
import { updateCustomer } from './update.ts';
import { pageQuery, type PageRequest } from '../../db/paging.ts';
import type { Executor } from '../../db/client.ts';
import * as v from 'valibot';
import type { ApiKeyScope } from '../../db/schema/index.ts';
import { eventResource } from '../events/contract.ts';
import { listCustomerEvents } from '../events/queries.ts';
import { paymentResource } from '../payments/contract.ts';
import { listCustomerPayments } from '../payments/queries.ts';

const tags = ['Customers'];
const customer = { status: 200, description: 'The customer', schema: customerResource };

const transitionDoc = (summary: string, description: string) =>
  doc({ summary, description, tags, access: 'operator', scope: 'customers:write', tenant: 'none', success: customer, errors: [404, 409], idempotent: true });

/** /v1/customers: onboarding, reads, changes and lifecycle transitions. */
export function customerRoutes() {
  const app = new Hono<AppEnv>();

  app.post(
    '/',
    doc({ summary: 'Onboard a customer', description: 'Creates the customer in `onboarded` with its contact as the owner user. With `test_clock_id` it is a sandbox customer living on that test clock for ever (its time is the clock\'s; see /v1/test-clocks); without, it is live, and no route ever moves a live customer onto a clock. Emits `customer.onboarded`.', tags, access: 'operator', scope: 'customers:write', tenant: 'none', success: { ...customer, status: 201, description: 'Onboarded' }, errors: [409], idempotent: true }),
    validate('json', onboardCustomerInput),
    (c) => runCommand(c, 201, (ctx) => onboardCustomer(ctx, c.req.valid('json'))),
  );

  app.get(
    '/',
    doc({ summary: 'List customers', description: "Newest first; filter by status, segment, kind, exact email, `q` (text in name or email) or `customer_id`. Pass `next_cursor` back as `cursor`. A customer's key or user (portal token) gets its own customer alone.", tags, access: 'viewer', scope: 'customers:read', tenant: 'list', success: { status: 200, description: 'A page of customers', schema: pageSchema(customerResource) } }),
    validate('query', listCustomersQuery),
    async (c) => c.json(await listCustomers(c.get('deps').db, c.req.valid('query'))),
  );

  app.get(
    '/:id',
    doc({ summary: 'Get a customer', tags, access: 'viewer', scope: 'customers:read', tenant: 'customer', success: customer, errors: [404] }),
    validate('param', customerParams),
    async (c) => c.json(await getCustomer(c.get('deps').db, c.req.valid('param').id)),
  );

  app.patch(
    '/:id',
    doc({
      summary: 'Update a customer',
      description:
        'Changes name, email, kind, country, phone, metadata, tax rate or payment method; and, **operators only**, `max_subscriptions`: how many live (not canceled) subscriptions the customer may hold at once (1 to 100, default 1). The tax rate, kind, country, metadata and `max_subscriptions` are the operator\'s: a tenant changes its contact details and its payment method. Lowering it below the live subscriptions the customer holds cancels none; it only stops new ones. Emits `customer.updated`.',
      tags,
      access: 'operator',
      scope: 'customers:write',
      tenant: 'customer',
      tenantFields: ['name', 'email', 'phone', 'payment_method'],
      success: customer,
      errors: [404, 409],
    }),
    validate('param', customerParams),
    validate('json', updateCustomerInput),
    (c) => runCommand(c, 200, (ctx) => updateCustomer(ctx, c.req.valid('param').id, c.req.valid('json'))),
  );

  app.post(
    '/:id/activate',
    transitionDoc('Activate a customer', '`onboarded` or `deactivated` → `active`. Emits `customer.activated`.'),
    validate('param', customerParams),
    (c) => runCommand(c, 200, (ctx) => activateCustomer(ctx, c.req.valid('param').id)),
  );

  app.post(
    '/:id/deactivate',
    transitionDoc('Deactivate a customer', '`active` → `deactivated`. Emits `customer.deactivated`.'),
    validate('param', customerParams),
    (c) => runCommand(c, 200, (ctx) => deactivateCustomer(ctx, c.req.valid('param').id)),
  );

  app.post(
    '/:id/promote',
    transitionDoc('Promote a customer', 'Moves an `active` customer one segment up (bronze → silver → gold → platinum). Emits `customer.promoted`.'),
    validate('param', customerParams),
    validate('json', promoteInput),
    (c) => runCommand(c, 200, (ctx) => promoteCustomer(ctx, c.req.valid('param').id, c.req.valid('json')?.reason)),
  );

  app.post(
    '/:id/erase',
    transitionDoc('Erase a customer', 'Removes personal data (also from its users, notifications and stored events); the id and history stay. Final. Emits `customer.erased`.'),
    validate('param', customerParams),
    (c) => runCommand(c, 200, (ctx) => eraseCustomer(ctx, c.req.valid('param').id)),
  );

  /** A page of something that belongs to one customer; 404 when the customer does not exist. */
  function customerPage<R>(path: string, scope: ApiKeyScope, summary: string, description: string, items: string, item: v.GenericSchema, list: (db: Executor, id: string, query: PageRequest) => Promise<R>) {
    app.get(
      path,
      doc({ summary, description, tags, access: 'viewer', scope, tenant: 'customer', success: { status: 200, description: `A page of ${items}`, schema: pageSchema(item) }, errors: [404] }),
      validate('param', customerParams),
      validate('query', v.object({ ...pageQuery })),
      async (c) => {
        const { db } = c.get('deps');
        const { id } = c.req.valid('param');
        await getCustomer(db, id);
        return c.json(await list(db, id, c.req.valid('query')));
      },
    );
  }

  customerPage('/:id/notifications', 'customers:read', "A customer's notification history", 'Every notification sent to (or failed for) the customer, newest first; fed by `notification.sent|failed` events.', 'notifications', notificationEntry, listCustomerNotifications);
  customerPage(
    '/:id/events',
    'events:read',
    "A customer's timeline",
    'Every event about the customer in commit order, oldest first: those whose subject is the customer or one of its subscriptions, invoices or payments. Pass `next_cursor` back as `cursor`.',
    'events',
    eventResource,
    listCustomerEvents,
  );
  customerPage('/:id/payments', 'invoices:read', "A customer's payments", "Every payment attempt on the customer's invoices, newest first, each with the steps its saga took.", 'payments', paymentResource, listCustomerPayments);

  return app;
}

/** Where these routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const customerMounts: Mount[] = [mount('/customers', customerRoutes)];

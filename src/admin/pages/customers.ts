import type { Context } from 'hono';
import { customerParams } from '../../customers/contract.ts';
import { getCustomer } from '../../customers/queries.ts';
import { activateCustomer, deactivateCustomer, promoteCustomer } from '../../customers/transition.ts';
import { eraseCustomer } from '../../erasure/erase-customer.ts';
import { access } from '../../http/access.ts';
import type { AppEnv } from '../../http/env.ts';
import type { Ctx } from '../../kernel/context.ts';
import { formCommand, parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { customerNewPage, onboardFromForm } from './customer-new.ts';
import { customerPage } from './customer-page.ts';
import { fragment, notificationsFragment, timelineFragment } from './customer-live.ts';
import { customersListPage } from './customers-list.ts';

/** The customer id of the path, checked with the API's own schema (a 400 page otherwise). */
const idOf = (c: Context<AppEnv>) => parseForm(customerParams, { id: c.req.param('id') }).id;

/** The lifecycle commands, each through the API's verb, back to the customer's page with what happened. */
const COMMANDS: { path: string; done: string; verb: (ctx: Ctx, id: string) => Promise<unknown> }[] = [
  { path: 'activate', done: 'Activated.', verb: activateCustomer },
  { path: 'deactivate', done: 'Deactivated.', verb: deactivateCustomer },
  { path: 'promote', done: 'Promoted one segment up.', verb: (ctx, id) => promoteCustomer(ctx, id) },
  { path: 'erase', done: 'Erased: personal data removed, subscriptions canceled.', verb: eraseCustomer },
];

/**
 * Customers: the list with search, filters and paging; onboarding; a customer's page with
 * its lifecycle actions and everything about it; the live panels the page refreshes.
 */
export const customersSection: AdminSection = (app) => {
  app.get('/customers', access('viewer'), customersListPage);
  app.get('/customers/new', access('operator'), customerNewPage);
  app.post('/customers/new', access('operator'), onboardFromForm);
  app.get('/customers/:id', access('viewer'), (c) => customerPage(c, idOf(c)));
  app.get('/customers/:id/timeline', access('viewer'), async (c) => {
    const id = idOf(c);
    await getCustomer(c.get('deps').db, id);
    return fragment(c, timelineFragment(c.get('deps').db, id, c.req.query('cursor') || undefined));
  });
  app.get('/customers/:id/notifications', access('viewer'), async (c) => {
    const id = idOf(c);
    await getCustomer(c.get('deps').db, id);
    return fragment(c, notificationsFragment(c.get('deps').db, id));
  });
  for (const command of COMMANDS) {
    app.post(`/customers/:id/${command.path}`, access('operator'), (c) => {
      const id = idOf(c);
      return formCommand(c, `/admin/customers/${id}`, command.done, (ctx) => command.verb(ctx, id));
    });
  }
};

import { mount, type Mount } from '../../http/mount.ts';
import { customerCreditRoutes } from './credits.ts';
import { invoiceRoutes } from './invoices.ts';
import { subscribeRoutes } from './subscribe.ts';

/** Where billing's routes hang under /v1; src/app.ts gathers every domain's mounts. */
export const billingMounts: Mount[] = [mount('/subscriptions', subscribeRoutes), mount('/customers', customerCreditRoutes), mount('/invoices', invoiceRoutes)];

import { consumersSection } from './pages/consumers.ts';
import { customersSection } from './pages/customers.ts';
import { homeSection } from './pages/home.ts';
import { auditSection } from './pages/audit.ts';
import { deadLettersSection } from './pages/dead-letters.ts';
import { eventsSection } from './pages/events.ts';
import { metersSection } from './pages/meters.ts';
import { invoicesSection } from './pages/invoices.ts';
import { operatorsSection } from './pages/operators.ts';
import { paymentsSection } from './pages/payments.ts';
import { plansSection } from './pages/plans.ts';
import { subscriptionsSection } from './pages/subscriptions.ts';
import { subscriptionPricingSection } from './pages/subscription-commands.ts';
import type { AdminSection } from './routes.ts';

/** Every section of the dashboard, registered in this order. */
export const adminSections: AdminSection[] = [homeSection, consumersSection, customersSection, plansSection, metersSection, subscriptionsSection, subscriptionPricingSection, invoicesSection, paymentsSection, eventsSection, deadLettersSection, operatorsSection, auditSection];

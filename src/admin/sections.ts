import { customersSection } from './pages/customers.ts';
import { homeSection } from './pages/home.ts';
import type { AdminSection } from './routes.ts';

/** Every section of the dashboard, registered in this order. */
export const adminSections: AdminSection[] = [homeSection, customersSection];

import { html } from 'hono/html';
import { access } from '../../http/access.ts';
import type { AdminSection } from '../routes.ts';
import { page } from '../ui.ts';

/** Home: the platform at a glance. */
export const homeSection: AdminSection = (app) => {
  app.get('/', access('viewer'), (c) => page(c, { title: 'Home', section: '/admin', body: html`<div class="card"><p>Welcome.</p></div>` }));
};

import { html } from 'hono/html';
import * as v from 'valibot';
import { pageQuery } from '../../../db/paging.ts';
import { listAudit } from '../../audit/queries.ts';
import { access } from '../../http/access.ts';
import { parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { page, pager, table } from '../ui.ts';
import { filterForm, link, queryFields, when } from './billing-kit.ts';
import { maxChars } from '../../kernel/text.ts';

/** The same filters as GET /v1/audit. */
const auditQuery = v.object({
  ...pageQuery,
  actor: v.optional(v.pipe(v.string(), ...maxChars(100))),
  action: v.optional(v.pipe(v.string(), ...maxChars(100))),
  target_id: v.optional(v.pipe(v.string(), ...maxChars(100))),
});

/** Where a target of an audit entry is shown in the dashboard, when it has a page. */
const PAGES: Record<string, string> = { plan: '/admin/plans', subscription: '/admin/subscriptions', invoice: '/admin/invoices', customer: '/admin/customers' };

/**
 * The audit log: who changed what, newest first, filtered as the API filters it.
 * Admins only, as GET /v1/audit is.
 */
export const auditSection: AdminSection = (app) => {
  app.get('/audit', access('admin'), async (c) => {
    const entries = await listAudit(c.get('deps').db, parseForm(auditQuery, queryFields(c)));
    const rows = entries.data.map((e) => [
      when(e.at),
      html`<a href="/admin/audit?actor=${encodeURIComponent(e.actor)}">${e.actor}</a>`,
      html`<span data-test="audit-action">${e.action}</span>`,
      PAGES[e.target_type] ? link(`${PAGES[e.target_type]}/${e.target_id}`, `${e.target_type} ${e.target_id}`) : html`${e.target_type} ${e.target_id}`,
      html`<code class="data">${e.data ? JSON.stringify(e.data) : ''}</code>`,
    ]);
    return page(c, {
      title: 'Audit log',
      section: '/admin/audit',
      body: html`<style>code.data { font-size:.8rem; overflow-wrap:anywhere; }</style>
      <div class="card">
        ${filterForm(c, '/admin/audit', [
          { name: 'actor', label: 'Actor', kind: 'text', placeholder: 'op_…' },
          { name: 'action', label: 'Action', kind: 'text', placeholder: 'invoice.void' },
          { name: 'target_id', label: 'Target', kind: 'text', placeholder: 'inv_…' },
        ])}
        <div data-test="audit">${table(['At', 'Actor', 'Action', 'Target', 'Data'], rows, 'No entries match.')}</div>
        ${pager(c, entries.next_cursor)}
      </div>`,
    });
  });
};

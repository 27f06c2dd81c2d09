import { html } from 'hono/html';
import { listAuditQuery } from '../../audit/contract.ts';
import { listAudit } from '../../audit/queries.ts';
import { access } from '../../http/access.ts';
import { parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { page, pager, table } from '../ui.ts';
import { filterForm, link, queryFields, when } from './billing-kit.ts';

/** Where a target of an audit entry is shown in the dashboard, when it has a page. */
const PAGES: Record<string, string> = { plan: '/admin/plans', subscription: '/admin/subscriptions', invoice: '/admin/invoices', customer: '/admin/customers' };

/**
 * The audit log: who changed what, newest first, filtered as the API filters it (the same query
 * schema); each entry shows the service that reported it, or `this platform` for our own.
 * Admins only, as GET /v1/audit is.
 */
export const auditSection: AdminSection = (app) => {
  app.get('/audit', access('admin'), async (c) => {
    const entries = await listAudit(c.get('deps').db, parseForm(listAuditQuery, queryFields(c)));
    const rows = entries.data.map((e) => [
      when(e.at),
      html`<a href="/admin/audit?actor=${encodeURIComponent(e.actor)}">${e.actor}</a>`,
      e.source === null ? html`<span class="muted" data-test="audit-source">this platform</span>` : html`<a href="/admin/audit?source=${encodeURIComponent(e.source)}" data-test="audit-source">${e.source}</a>`,
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
          { name: 'source', label: 'Source', kind: 'text', placeholder: 'urn:ledger' },
        ])}
        <div data-test="audit">${table(['At', 'Actor', 'Source', 'Action', 'Target', 'Data'], rows, 'No entries match.')}</div>
        ${pager(c, entries.next_cursor)}
      </div>`,
    });
  });
};

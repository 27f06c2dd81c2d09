import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Executor } from '../../../db/client.ts';
import { listCustomerNotifications } from '../../customers/queries.ts';
import { listCustomerEvents } from '../../events/queries.ts';
import type { AppEnv } from '../../http/env.ts';
import { badge, table, type Html } from '../ui.ts';
import { code, moreHint, text, when } from './customers-format.ts';

/** How often the timeline and the notifications ask for what is new. */
const EVERY = 'every 2s';
const TIMELINE_PAGE = 50;

/**
 * A customer's timeline: every event about it (its own, its subscriptions', invoices'
 * and payments'), oldest first, a page of 50 from `cursor`; a link to the later ones
 * once the page is full.
 */
export async function timelineFragment(db: Executor, customerId: string, cursor: string | undefined): Promise<Html> {
  const events = await listCustomerEvents(db, customerId, { limit: TIMELINE_PAGE, cursor });
  const items = events.data.map(
    (e) => html`<li data-test="timeline-event" data-type="${e.type}"><strong>${e.type}</strong>
      <span class="muted">${e.subject === customerId ? '' : html`${code(e.subject)} `}#${e.sequence} · ${when(e.time)} · ${e.delivery.state}${e.delivery.handled_by.length ? ` · handled by ${e.delivery.handled_by.join(', ')}` : ''}</span></li>`,
  );
  const later = events.next_cursor ? html`<a href="/admin/customers/${customerId}?events=${encodeURIComponent(events.next_cursor)}#timeline" data-test="timeline-later">Later events →</a>` : '';
  const start = cursor ? html`<a href="/admin/customers/${customerId}#timeline">← From the first event</a>` : '';
  return html`${items.length ? html`<ol class="timeline">${items}</ol>` : html`<p class="muted">No events yet.</p>`}${later || start ? html`<div class="pager">${start}${later}</div>` : ''}`;
}

/** A customer's notifications, newest first (the first page). */
export async function notificationsFragment(db: Executor, customerId: string): Promise<Html> {
  const list = await listCustomerNotifications(db, customerId, { limit: 20 });
  const rows = list.data.map((n) => [html`<span data-test="notification" data-template="${n.template}">${n.template}</span>`, text(n.channel), badge(n.status), text(n.reason ?? ''), when(n.at)]);
  return html`${table(['Template', 'Channel', 'Status', 'Reason', 'At'], rows, 'No notifications yet.')}${moreHint(list.has_more, `GET /v1/customers/${customerId}/notifications`)}`;
}

/** A panel whose content the page asks the server for again every 2 s (htmx), starting from what the page rendered. */
export function livePanel(url: string, test: string, content: Html): Html {
  return html`<div hx-get="${url}" hx-trigger="${EVERY}" hx-swap="innerHTML" data-test="${test}">${content}</div>`;
}

/** Answers a panel's refresh: the fragment alone, never cached. */
export async function fragment(c: Context<AppEnv>, content: Html | Promise<Html>) {
  c.header('Cache-Control', 'no-store');
  return c.html(await content);
}

import { html } from 'hono/html';
import * as v from 'valibot';
import { pageQuery } from '../../../db/paging.ts';
import { eventTypes } from '../../events/catalog.ts';
import type { EventResource } from '../../events/contract.ts';
import { listEvents } from '../../events/queries.ts';
import { access } from '../../http/access.ts';
import { parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { badge, page, pager } from '../ui.ts';
import { filterForm, jsonBlock, queryFields, when } from './billing-kit.ts';
import { maxChars } from '../../kernel/text.ts';

/** The same filters as GET /v1/events. */
const eventsQuery = v.object({
  ...pageQuery,
  type: v.optional(v.picklist(eventTypes, 'must be a known event type')),
  subject: v.optional(v.pipe(v.string(), ...maxChars(100))),
});

/** The CloudEvents envelope of a stored event, as consumers receive it. */
const envelopeOf = (e: EventResource) => ({ specversion: '1.0', id: e.id, source: e.source, type: e.type, subject: e.subject, time: e.time, datacontenttype: 'application/json', sequence: e.sequence, data: e.data });

/** Events: the stream in commit order, filtered by type and subject, each envelope as JSON with its delivery. */
export const eventsSection: AdminSection = (app) => {
  app.get('/events', access('viewer'), async (c) => {
    const events = await listEvents(c.get('deps').db, parseForm(eventsQuery, queryFields(c)));
    const items = events.data.map(
      (e) => html`<article class="event" data-test="event" data-type="${e.type}">
        <header><strong>${e.type}</strong> <a href="/admin/events?subject=${encodeURIComponent(e.subject)}">${e.subject}</a> #${e.sequence}
          <span class="muted">${when(e.time)}</span> ${badge(e.delivery.state === 'published' ? 'ok' : 'pending')}
          <span class="muted">${e.delivery.handled_by.length ? `handled by ${e.delivery.handled_by.join(', ')}` : ''}${e.delivery.last_error ? ` · last error: ${e.delivery.last_error}` : ''}</span></header>
        ${jsonBlock(envelopeOf(e), 'envelope')}
      </article>`,
    );
    return page(c, {
      title: 'Events',
      section: '/admin/events',
      body: html`<style>article.event { border-bottom:1px solid var(--line); padding:.6rem 0; } article.event header { display:flex; flex-wrap:wrap; gap:.3rem .6rem; align-items:baseline; overflow-wrap:anywhere; } article.event pre { margin:.4rem 0 0; max-height:24rem; }</style>
      <div class="card">
        ${filterForm(c, '/admin/events', [
          { name: 'type', label: 'Type', kind: 'select', options: eventTypes },
          { name: 'subject', label: 'Subject', kind: 'text', placeholder: 'cus_…, sub_…, inv_…' },
        ])}
        <p class="muted">Oldest first, in the order they were committed.</p>
        <div data-test="events">${items.length ? items : html`<p class="muted">No events match.</p>`}</div>
        ${pager(c, events.next_cursor)}
      </div>`,
    });
  });
};

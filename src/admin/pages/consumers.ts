import { html } from 'hono/html';
import type { ConsumerResource } from '../../events/contract.ts';
import { access } from '../../http/access.ts';
import { consumerGroups, outboxBacklog } from '../../reports/activity.ts';
import type { AdminSection } from '../routes.ts';
import { facts, page, table, type Html } from '../ui.ts';

/** "12 s", "4 min", "3 h 5 min", "2 d 4 h": how long something has waited. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const deadLettersLink = (g: ConsumerResource) =>
  html`<a href="/admin/dead-letters?group=${encodeURIComponent(g.group)}" data-test="dead-letters-${g.group}"><span class="badge ${g.dead_letters > 0 ? 'bad' : ''}">${g.dead_letters}</span></a>`;
const lagBadge = (lag: number) => html`<span class="badge ${lag > 0 ? 'warn' : 'ok'}">${lag}</span>`;

/** The consumer groups as a table; `detailed` adds each group's position, event types and last move. */
export function consumerTable(groups: ConsumerResource[], detailed: boolean): Html {
  const rows = groups.map((g) => [
    html`<span data-test="consumer-group">${g.group}</span>`,
    ...(detailed ? [html`${g.position}`] : []),
    html`<span data-test="lag-${g.group}">${lagBadge(g.lag)}</span>`,
    deadLettersLink(g),
    ...(detailed
      ? [html`<details><summary>${g.types.length} ${g.types.length === 1 ? 'type' : 'types'}</summary><span class="muted">${g.types.join(', ')}</span></details>`, html`${g.updated_at ?? '—'}`]
      : []),
  ]);
  const headers = detailed ? ['Group', 'Position', 'Lag', 'Dead letters', 'Consumes', 'Last moved'] : ['Group', 'Lag', 'Dead letters'];
  return table(headers, rows, 'No consumer group has started yet.');
}

/** The outbox's backlog: unpublished events and how long the oldest has waited. */
export function outboxFacts(depth: number, oldestAt: string | null, ageSeconds: number | null): Html {
  return facts([
    ['Unpublished events', html`<span data-test="outbox-depth">${depth}</span>`],
    ['Oldest unpublished', oldestAt ? html`${oldestAt} <span class="muted">(${formatAge(ageSeconds ?? 0)} ago)</span>` : 'none: the relay is up to date'],
  ]);
}

/** Consumers: each consumer group's position, lag and dead letters, and the outbox depth; refreshes itself every 10 s. */
export const consumersSection: AdminSection = (app) => {
  app.get('/consumers', access('viewer'), async (c) => {
    const deps = c.get('deps');
    const now = deps.clock.now();
    const groups = await consumerGroups(deps.bus);
    const backlog = await outboxBacklog(deps.db);
    const oldestAt = backlog.oldestAt === null ? null : new Date(backlog.oldestAt).toISOString();
    const age = backlog.oldestAt === null ? null : Math.max(0, Math.floor((now - backlog.oldestAt) / 1000));
    return page(c, {
      title: 'Consumers',
      section: '/admin/consumers',
      body: html`<div hx-get="/admin/consumers" hx-trigger="every 10s" hx-select="#consumers-live" hx-swap="innerHTML">
        <div id="consumers-live">
          <div class="card" data-test="consumers">
            <p class="muted">Lag is the events of a group's types published on the bus (${deps.bus.name}) and not yet handled by it.</p>
            ${consumerTable(groups, true)}
          </div>
          <h2>Outbox</h2>
          <div class="card" data-test="outbox">${outboxFacts(backlog.depth, oldestAt, age)}</div>
        </div>
      </div>`,
    });
  });
};

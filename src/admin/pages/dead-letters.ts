import { html } from 'hono/html';
import { deadLetterStates, listDeadLettersQuery } from '../../dead-letters/contract.ts';
import { listDeadLetters } from '../../dead-letters/queries.ts';
import { replayDeadLetter } from '../../dead-letters/replay.ts';
import { access } from '../../http/access.ts';
import { formCommand, parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { actionButton, badge, page, pager } from '../ui.ts';
import { filterForm, jsonBlock, queryFields, when } from './billing-kit.ts';

const SECTION = '/admin/dead-letters';

/** Dead letters: what each consumer group parked, the reason and the event, and replaying one. */
export const deadLettersSection: AdminSection = (app) => {
  app.get('/dead-letters', access('viewer'), async (c) => {
    const deps = c.get('deps');
    const parked = await listDeadLetters(deps.db, parseForm(listDeadLettersQuery, queryFields(c)));
    const groups = (await deps.bus.groups()).map((g) => g.group);
    const items = parked.data.map(
      (d) => html`<article class="dead" data-test="dead-letter" data-id="${d.id}">
        <header><strong>${d.type}</strong> <span class="muted">group</span> ${d.group} <span class="muted">${when(d.created_at)}</span>
          <span data-test="dead-letter-state">${d.replayed_at ? html`${badge('replayed')} <span class="muted">${when(d.replayed_at)}</span>` : badge('waiting')}</span>
          ${d.replays ? html`<span class="muted">replayed ${d.replays}×</span>` : ''}</header>
        <p class="reason" data-test="reason">${d.reason}</p>
        ${d.replayed_at ? '' : html`<div class="actions">${actionButton(c, 'operator', `${SECTION}/${d.id}/replay`, 'Replay', { test: 'replay' })}</div>`}
        <details><summary>Event ${d.event_id}</summary>${jsonBlock(d.event, 'dead-letter-event')}</details>
      </article>`,
    );
    return page(c, {
      title: 'Dead letters',
      section: SECTION,
      body: html`<style>article.dead { border-bottom:1px solid var(--line); padding:.6rem 0; } article.dead header { display:flex; flex-wrap:wrap; gap:.3rem .6rem; align-items:baseline; overflow-wrap:anywhere; } .reason { margin:.3rem 0; color:var(--danger); overflow-wrap:anywhere; } article.dead .actions { margin:.3rem 0; }</style>
      <div class="card">
        ${filterForm(c, SECTION, [
          { name: 'group', label: 'Group', kind: 'select', options: groups },
          { name: 'state', label: 'State', kind: 'select', options: deadLetterStates },
        ])}
        <p class="muted">Replaying hands the event back to the group that parked it, alone; its inbox keeps the effect to once. If it fails again it comes back here.</p>
        <div data-test="dead-letters">${items.length ? items : html`<p class="muted">No dead letters.</p>`}</div>
        ${pager(c, parked.next_cursor)}
      </div>`,
    });
  });

  app.post('/dead-letters/:id/replay', access('operator'), (c) => {
    const id = c.req.param('id');
    return formCommand(c, SECTION, 'Replayed: the group has it again.', (ctx) => replayDeadLetter(ctx, c.get('deps').bus, id));
  });
};

import { html } from 'hono/html';
import { meterAggregations, meterStatuses } from '../../../db/schema/index.ts';
import { access } from '../../http/access.ts';
import { archiveMeter } from '../../meters/archive.ts';
import { createMeterInput, listMetersQuery, meterParams, type MeterResource } from '../../meters/contract.ts';
import { createMeter } from '../../meters/create.ts';
import { getMeter, listMeters } from '../../meters/queries.ts';
import { formCommand, formFields, parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { actionButton, badge, can, csrfField, facts, page, pager, table } from '../ui.ts';
import { filterForm, link, queryFields, when, wrapTitle } from './billing-kit.ts';

const SECTION = '/admin/meters';

const dimensions = (m: MeterResource) => (m.group_by.length ? m.group_by.join(', ') : '—');
const builtInBadge = (m: MeterResource) => (m.built_in ? html` <span class="badge" data-test="built-in">built in</span>` : '');

/** The create-meter form, for operators: the API's fields, dimensions comma-separated, checked by its own schema. */
const createForm = (c: Parameters<typeof page>[0]) =>
  can(c, 'operator')
    ? html`<div class="card"><h2>New meter</h2>
      <form method="post" action="${SECTION}" class="filters" data-test="create-meter">${csrfField(c)}
        <div><label for="m-code">Code</label><input id="m-code" name="code" required placeholder="api_calls"></div>
        <div><label for="m-name">Name</label><input id="m-name" name="name" required placeholder="API calls"></div>
        <div><label for="m-aggregation">Aggregation</label><select id="m-aggregation" name="aggregation">${meterAggregations.map((a) => html`<option>${a}</option>`)}</select></div>
        <div><label for="m-value-property">Value property (none for count)</label><input id="m-value-property" name="value_property" placeholder="bytes"></div>
        <div><label for="m-group-by">Dimensions (comma-separated)</label><input id="m-group-by" name="group_by" placeholder="region, model"></div>
        <div><button type="submit" data-test="create-meter-submit">Create meter</button></div>
      </form></div>`
    : '';

/** Meters: what usage is measured in. The list with a status filter, a meter's definition, creating and archiving. */
export const metersSection: AdminSection = (app) => {
  app.get('/meters', access('viewer'), async (c) => {
    const meters = await listMeters(c.get('deps').db, parseForm(listMetersQuery, queryFields(c)));
    const rows = meters.data.map((m) => [
      html`${link(`${SECTION}/${m.code}`, m.code, 'meter-link')}${builtInBadge(m)}`,
      html`${m.name}`,
      html`${m.aggregation}`,
      html`${m.value_property ?? '—'}`,
      html`${dimensions(m)}`,
      badge(m.status),
    ]);
    return page(c, {
      title: 'Meters',
      section: SECTION,
      body: html`${createForm(c)}<div class="card">
        ${filterForm(c, SECTION, [{ name: 'status', label: 'Status', kind: 'select', options: meterStatuses }])}
        <div data-test="meters">${table(['Code', 'Name', 'Aggregation', 'Value property', 'Dimensions', 'Status'], rows, 'No meters match.')}</div>
        ${pager(c, meters.next_cursor)}</div>`,
    });
  });

  app.post('/meters', access('operator'), async (c) => {
    const fields = await formFields(c);
    const shaped: Record<string, unknown> = { ...fields };
    if (fields.group_by !== undefined) shaped.group_by = fields.group_by.split(',').map((d) => d.trim()).filter(Boolean);
    return formCommand(c, (m: MeterResource) => `${SECTION}/${m.code}`, (m) => `Meter ${m.code} created.`, (ctx) => createMeter(ctx, parseForm(createMeterInput, shaped)));
  });

  app.get('/meters/:code', access('viewer'), async (c) => {
    const { code } = parseForm(meterParams, { code: c.req.param('code') });
    const meter = await getMeter(c.get('deps').db, code);
    const archive = meter.status === 'active' && !meter.built_in ? actionButton(c, 'operator', `${SECTION}/${meter.code}/archive`, 'Archive', { danger: true, test: 'archive-meter' }) : '';
    return page(c, {
      title: `Meter ${meter.code}`,
      section: SECTION,
      body: html`${wrapTitle}<div class="card" data-test="meter">
        ${facts([
          ['Status', html`<span data-test="meter-status">${badge(meter.status)}</span>${builtInBadge(meter)}`],
          ['Name', meter.name],
          ['Description', meter.description],
          ['Aggregation', meter.aggregation],
          ['Value property', meter.value_property ?? (meter.aggregation === 'count' ? 'none: counts events' : null)],
          ['Dimensions', dimensions(meter)],
          ['Id', meter.id],
          ['Created', when(meter.created_at)],
          ['Archived', when(meter.archived_at)],
        ])}
        ${meter.built_in ? html`<p class="muted" data-test="built-in-note">Built in: AI tokens have always been measured by it, so it cannot be changed or archived.</p>` : ''}
        ${meter.status === 'archived' ? html`<p class="muted">Archived: it keeps its definition and its code stays taken, but no plan can price it any more.</p>` : ''}
        <div class="actions">${archive}</div>
      </div>`,
    });
  });

  app.post('/meters/:code/archive', access('operator'), (c) => {
    const code = c.req.param('code');
    const back = `${SECTION}/${encodeURIComponent(code)}`;
    return formCommand(c, back, `Meter ${code} archived.`, (ctx) => archiveMeter(ctx, code));
  });
};

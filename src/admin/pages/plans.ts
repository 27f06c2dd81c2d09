import { html } from 'hono/html';
import { defaultQuotaPolicy, planIntervals, planStatuses, quotaPolicies } from '../../../db/schema/index.ts';
import { access } from '../../http/access.ts';
import { archivePlan } from '../../plans/archive.ts';
import { createPlanInput, listPlansQuery, listPlanVersionsQuery, type PlanResource } from '../../plans/contract.ts';
import { createPlan } from '../../plans/create.ts';
import { getPlan, listPlans, listPlanVersions } from '../../plans/queries.ts';
import { formCommand, formFields, parseForm } from '../form.ts';
import type { AdminSection } from '../routes.ts';
import { actionButton, badge, can, csrfField, facts, page, pager, table } from '../ui.ts';
import { filterForm, link, money, numbersIn, queryFields, when, wrapTitle } from './billing-kit.ts';
import { chargesFrom, chargesPanel } from './charges.ts';

const SECTION = '/admin/plans';

const priceOf = (p: PlanResource) => html`${money(p.price.amount, p.price.currency)} / ${p.interval}`;

/** The create-plan form, for operators: the API's fields, checked by its own schema. */
const createForm = (c: Parameters<typeof page>[0]) =>
  can(c, 'operator')
    ? html`<div class="card"><h2>New plan</h2>
      <form method="post" action="/admin/plans" class="plan-form" data-test="create-plan">${csrfField(c)}
        <div class="fields">
          <div><label for="code">Code</label><input id="code" name="code" required placeholder="pro"></div>
          <div><label for="name">Name</label><input id="name" name="name" required placeholder="Pro"></div>
          <div><label for="price_amount">Price (minor units)</label><input id="price_amount" name="price_amount" inputmode="numeric" required placeholder="4900"></div>
          <div><label for="currency">Currency</label><input id="currency" name="currency" required value="EUR" maxlength="3"></div>
          <div><label for="interval">Interval</label><select id="interval" name="interval">${planIntervals.map((i) => html`<option>${i}</option>`)}</select></div>
          <div><label for="trial_days">Trial days</label><input id="trial_days" name="trial_days" inputmode="numeric" value="0"></div>
          <div><label for="included_tokens">AI tokens included</label><input id="included_tokens" name="included_tokens" inputmode="numeric" value="0"></div>
          <div><label for="overage_price_per_1k">Overage per 1,000 tokens (minor units)</label><input id="overage_price_per_1k" name="overage_price_per_1k" inputmode="numeric" value="0"></div>
          <div><label for="quota_policy">Past the quota</label><select id="quota_policy" name="quota_policy">${quotaPolicies.map((q) => html`<option${q === defaultQuotaPolicy ? ' selected' : ''}>${q}</option>`)}</select></div>
          <div><label for="seat_price">Price per seat (minor units)</label><input id="seat_price" name="seat_price" inputmode="numeric" value="0"></div>
          <div><label for="features">Features (one per line)</label><textarea id="features" name="features" rows="2"></textarea></div>
        </div>
        <label for="charges">Usage charges (JSON, as the API's <code>charges</code>; optional)</label>
        <textarea id="charges" name="charges" rows="4" class="json-input" placeholder='[{"meter": "api_calls", "model": "per_unit", "unit_price": "0.25"}]'></textarea>
        <p><button type="submit" data-test="create-plan-submit">Create plan</button></p>
      </form></div>`
    : '';

const STYLE = html`<style>.plan-form .fields { display:grid; grid-template-columns:repeat(auto-fill, minmax(200px, 1fr)); gap:0 1rem; } .plan-form .json-input { font-family:monospace; width:100%; }</style>`;

/** Plans: the list with filters, a plan with its versions, creating and archiving. */
export const plansSection: AdminSection = (app) => {
  app.get('/plans', access('viewer'), async (c) => {
    const query = parseForm(listPlansQuery, queryFields(c));
    const plans = await listPlans(c.get('deps').db, query);
    const rows = plans.data.map((p) => [
      link(`/admin/plans/${p.id}`, p.code, 'plan-link'),
      html`${p.name}`,
      priceOf(p),
      html`${p.trial_days} d`,
      html`${p.included_tokens.toLocaleString('en')}`,
      html`${p.quota_policy}`,
      html`v${p.version}`,
      badge(p.status),
    ]);
    return page(c, {
      title: 'Plans',
      section: SECTION,
      body: html`${STYLE}${createForm(c)}<div class="card">
        ${filterForm(c, SECTION, [
          { name: 'status', label: 'Status', kind: 'select', options: planStatuses },
          { name: 'code', label: 'Code', kind: 'text', placeholder: 'pro' },
        ])}
        <div data-test="plans">${table(['Code', 'Name', 'Price', 'Trial', 'Tokens', 'Quota', 'Version', 'Status'], rows, 'No plans match.')}</div>
        ${pager(c, plans.next_cursor)}</div>`,
    });
  });

  app.post('/plans', access('operator'), async (c) => {
    const fields = await formFields(c);
    const shaped = numbersIn(fields, ['price_amount', 'trial_days', 'included_tokens', 'overage_price_per_1k', 'seat_price']);
    if (fields.features !== undefined) shaped.features = fields.features.split(/\r?\n/).map((f) => f.trim()).filter(Boolean);
    if (fields.currency !== undefined) shaped.currency = fields.currency.toUpperCase();
    return formCommand(c, (plan: PlanResource) => `/admin/plans/${plan.id}`, (plan) => `Plan ${plan.code} created.`, (ctx) => {
      if (fields.charges !== undefined) shaped.charges = chargesFrom(fields.charges);
      return createPlan(ctx, parseForm(createPlanInput, shaped));
    });
  });

  app.get('/plans/:id', access('viewer'), async (c) => {
    const db = c.get('deps').db;
    const plan = await getPlan(db, c.req.param('id'));
    const versions = await listPlanVersions(db, plan.id, parseForm(listPlanVersionsQuery, queryFields(c)));
    const rows = versions.data.map((v) => [html`v${v.version}`, html`${v.name}`, priceOf(v), html`${v.trial_days} d`, html`${v.included_tokens.toLocaleString('en')}`, html`${money(v.overage_price_per_1k.amount, v.overage_price_per_1k.currency)}`, html`${money(v.seat_price.amount, v.seat_price.currency)}`, html`${v.charges.map((ch) => ch.meter).join(', ') || '—'}`, html`${v.quota_policy}`, html`${v.features.join(', ')}`]);
    return page(c, {
      title: `Plan ${plan.code}`,
      section: SECTION,
      body: html`${wrapTitle}<div class="card" data-test="plan">
        ${facts([
          ['Status', badge(plan.status)],
          ['Name', plan.name],
          ['Current version', `v${plan.version}`],
          ['Price', priceOf(plan)],
          ['Trial', `${plan.trial_days} days`],
          ['AI tokens included', plan.included_tokens.toLocaleString('en')],
          ['Overage per 1,000 tokens', money(plan.overage_price_per_1k.amount, plan.overage_price_per_1k.currency)],
          ['Price per seat', html`<span data-test="seat-price">${plan.seat_price.amount > 0 ? `${money(plan.seat_price.amount, plan.seat_price.currency)} / seat / ${plan.interval}` : 'seats are not billed'}</span>`],
          ['Prices per currency', plan.prices.map((x) => `${money(x.price_amount, x.currency)} (overage ${money(x.overage_price_per_1k, x.currency)}${x.seat_price > 0 ? `, seat ${money(x.seat_price, x.currency)}` : ''})`).join(' · ')],
          ['Past the quota', plan.quota_policy],
          ['Features', plan.features.join(', ') || '—'],
          ['Created', when(plan.created_at)],
          ['Archived', when(plan.archived_at)],
        ])}
        <div class="actions">${plan.status === 'active' ? actionButton(c, 'operator', `/admin/plans/${plan.id}/archive`, 'Archive', { danger: true, test: 'archive-plan' }) : ''}
          ${link(`/admin/subscriptions?plan_id=${plan.id}`, 'Subscriptions on this plan')}</div>
      </div>
      ${chargesPanel(plan)}
      <h2>Versions</h2>
      <div class="card" data-test="versions">${table(['Version', 'Name', 'Price', 'Trial', 'Tokens', 'Overage / 1k', 'Seat', 'Charges', 'Quota', 'Features'], rows)}${pager(c, versions.next_cursor)}</div>`,
    });
  });

  app.post('/plans/:id/archive', access('operator'), (c) => {
    const id = c.req.param('id');
    return formCommand(c, `/admin/plans/${id}`, 'Plan archived.', (ctx) => archivePlan(ctx, id));
  });
};

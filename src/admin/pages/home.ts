import { html } from 'hono/html';
import { access } from '../../http/access.ts';
import { formatMoney } from '../../kernel/money.ts';
import type { CurrencyReport, OverviewResource } from '../../reports/contract.ts';
import { getOverview } from '../../reports/queries.ts';
import type { AdminSection } from '../routes.ts';
import { page, type Html } from '../ui.ts';
import { chart, epochSeconds, toMajor } from './charts.ts';
import { consumerTable, outboxFacts } from './consumers.ts';

/** How many event types the events chart draws; the quieter ones are summed as "other". */
const CHART_TYPES = 5;
const DAY = 86_400;
/** Movement bars within a month sit this many days apart, so a month's four bars read as a group. */
const BAR_OFFSETS: { key: 'new' | 'expansion' | 'contraction' | 'churn'; sign: 1 | -1 }[] = [
  { key: 'new', sign: 1 },
  { key: 'expansion', sign: 1 },
  { key: 'contraction', sign: -1 },
  { key: 'churn', sign: -1 },
];

const kpi = (label: string, value: Html | string, test: string, detail?: Html | string) =>
  html`<div class="card kpi"><div class="label">${label}</div><div class="value" data-test="${test}">${value}</div>${detail ? html`<div class="muted">${detail}</div>` : ''}</div>`;

const signed = (amount: number, currency: string) => `${amount > 0 ? '+' : ''}${formatMoney({ amount, currency })}`;

/** MRR movement per month as grouped bars: new and expansion up, contraction and churn down; no bar for nothing. */
function movementChart(r: CurrencyReport): Html {
  const labels = r.mrr_movement_by_month.flatMap((m) => BAR_OFFSETS.map((_, i) => epochSeconds(`${m.month}-01T00:00:00Z`) + i * 6 * DAY));
  const series = BAR_OFFSETS.map(({ key, sign }, k) => ({
    label: key,
    values: r.mrr_movement_by_month.flatMap((m) => BAR_OFFSETS.map((_, i) => (i === k && m.movement[key].amount !== 0 ? sign * toMajor(m.movement[key].amount, r.currency) : null))),
  }));
  if (series.every((s) => s.values.every((v) => v === null))) return html`<p class="muted" data-test="chart-movement-${r.currency}">No MRR movement in the last ${r.mrr_movement_by_month.length} months.</p>`;
  return chart({ title: `MRR movement (${r.currency})`, labels, series, bars: true }, `chart-movement-${r.currency}`);
}

function revenueChart(r: CurrencyReport): Html {
  const labels = r.revenue_by_month.map((m) => epochSeconds(`${m.month}-01T00:00:00Z`));
  return chart({ title: `Revenue collected per month (${r.currency})`, labels, series: [{ label: r.currency, values: r.revenue_by_month.map((m) => toMajor(m.collected.amount, r.currency)) }], bars: true }, `chart-revenue-${r.currency}`);
}

function eventsChart(events: OverviewResource['events']): Html {
  const shown = events.types.slice(0, CHART_TYPES);
  const rest = events.types.slice(CHART_TYPES);
  const series = shown.map((t) => ({ label: t.type, values: t.counts }));
  if (rest.length > 0) series.push({ label: `${rest.length} other types`, values: events.minutes.map((_, i) => rest.reduce((sum, t) => sum + t.counts[i]!, 0)) });
  if (series.length === 0) return html`<p class="muted" data-test="chart-events-empty">No events in the last hour.</p>`;
  return chart({ title: 'Events per minute (last hour)', labels: events.minutes.map(epochSeconds), series }, 'chart-events');
}

function currencyBlock(r: CurrencyReport): Html {
  const m = r.mrr_movement;
  const thisMonth = r.revenue_by_month.at(-1)!;
  const money = (amount: number) => formatMoney({ amount, currency: r.currency });
  return html`<section data-test="currency-${r.currency}">
    <h2>${r.currency}</h2>
    <div class="grid">
      ${kpi('MRR', money(r.mrr.amount), `mrr-${r.currency}`)}
      ${kpi('MRR movement this month', signed(m.net.amount, r.currency), `movement-${r.currency}`, html`<span data-test="movement-detail-${r.currency}">new ${money(m.new.amount)} · expansion ${money(m.expansion.amount)} · contraction ${money(m.contraction.amount)} · churn ${money(m.churn.amount)}</span>`)}
      ${kpi('Collected this month', money(thisMonth.collected.amount), `collected-${r.currency}`, `${thisMonth.invoices} paid invoices`)}
      ${kpi('Open invoices', html`<a href="/admin/invoices?status=open">${money(r.open.amount_due.amount)}</a>`, `open-${r.currency}`, `${r.open.invoices} open`)}
      ${kpi('Overdue', money(r.overdue.amount_due.amount), `overdue-${r.currency}`, `${r.overdue.invoices} overdue (charge failed or not collected)`)}
    </div>
    <div class="charts">
      <div class="card">${movementChart(r)}</div>
      <div class="card">${revenueChart(r)}</div>
    </div>
  </section>`;
}

function overviewBody(o: OverviewResource): Html {
  const counts = Object.entries(o.subscriptions);
  return html`<div id="home-live" data-test="home-live" data-generated="${o.generated_at}">
    ${o.currencies.length === 0 ? html`<div class="card"><p class="muted">No revenue yet: KPIs appear per currency once subscriptions or invoices exist.</p></div>` : o.currencies.map(currencyBlock)}
    <h2>Subscriptions</h2>
    <div class="grid">${counts.map(([status, n]) => kpi(status.replace('_', ' '), html`<a href="/admin/subscriptions?status=${status}">${n}</a>`, `subscriptions-${status}`))}</div>
    <h2>Platform</h2>
    <div class="card">${eventsChart(o.events)}</div>
    <div class="charts">
      <div class="card"><h3>Consumers</h3>${consumerTable(o.consumers, false)}<p><a href="/admin/consumers">All consumers →</a></p></div>
      <div class="card" data-test="outbox"><h3>Outbox</h3>${outboxFacts(o.outbox.depth, o.outbox.oldest_unpublished_at, o.outbox.oldest_age_seconds)}</div>
    </div>
    <p class="muted">Updated ${o.generated_at.replace('T', ' ').slice(0, 19)} UTC; refreshes every 15 s.</p>
  </div>`;
}

const STYLE = html`<style>
  .charts { display:grid; grid-template-columns:repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap:1rem; }
  .charts .card, .chart-box { min-width:0; }
  h3 { font-size:1rem; margin:0 0 .5rem; }
</style>`;

/** Home: KPIs per currency with charts, subscriptions by status, events per minute, consumers and the outbox; refreshes itself with htmx. */
export const homeSection: AdminSection = (app) => {
  app.get('/', access('viewer'), async (c) => {
    const deps = c.get('deps');
    const overview = await getOverview({ db: deps.db, bus: deps.bus, now: deps.clock.now() });
    return page(c, {
      title: 'Home',
      section: '/admin',
      body: html`${STYLE}<div hx-get="/admin" hx-trigger="every 15s" hx-select="#home-live" hx-swap="innerHTML">${overviewBody(overview)}</div>`,
    });
  });
};

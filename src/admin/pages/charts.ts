import { html, raw } from 'hono/html';
import { minorUnitDigits } from '../../kernel/currency.ts';
import type { Html } from '../ui.ts';

/** What the dashboard's script draws with uPlot (see src/admin/static.ts): x in epoch seconds, one array of y per series (null: no point). */
export interface ChartSpec {
  title: string;
  labels: number[];
  series: { label: string; values: (number | null)[] }[];
  bars?: boolean;
}

/**
 * A chart as the inert JSON the dashboard's script renders (the CSP forbids inline code).
 * `<` is escaped so no value can close the script element.
 */
export function chart(spec: ChartSpec, test: string): Html {
  return html`<div class="chart-box" data-test="${test}"><script type="application/json" data-chart>${raw(JSON.stringify(spec).replaceAll('<', '\\u003c'))}</script></div>`;
}

/** Minor units as a number of major units for a chart's axis (display only: never used for arithmetic). */
export const toMajor = (amount: number, currency: string): number => amount / 10 ** minorUnitDigits(currency);

/** An ISO time as epoch seconds, the x of a chart. */
export const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

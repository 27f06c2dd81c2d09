import { html } from 'hono/html';
import { formatMoney } from '../../kernel/money.ts';
import type { Html } from '../ui.ts';

/** An ISO time as operators read it: `2026-06-01 12:34 UTC`, the full value on hover; a dash for none. */
export function when(iso: string | null | undefined): Html {
  if (!iso) return html`—`;
  return html`<time datetime="${iso}" title="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** Plain text (or a number) as a table cell; a dash for none. */
export const text = (value: string | number | null | undefined): Html => html`${value ?? '—'}`;

/** Minor units of a currency as `12.34 EUR`. */
export const amount = (minor: number, currency: string) => formatMoney({ amount: minor, currency });

/** An id set in monospace, never broken across lines in a table cell. */
export const code = (text: string) => html`<code>${text}</code>`;

/** A list's first page may not be all of it: says so, with the API route that pages through the rest. */
export const moreHint = (hasMore: boolean, api: string): Html | '' =>
  hasMore ? html`<p class="muted">Showing the newest only; the API pages through all of them: <code>${api}</code>.</p>` : '';

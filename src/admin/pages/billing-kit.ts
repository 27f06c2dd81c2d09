import type { Context } from 'hono';
import { html } from 'hono/html';
import type { AppEnv } from '../../http/env.ts';
import { DomainError } from '../../kernel/errors.ts';
import { redirectWith, type Html } from '../ui.ts';

/**
 * Small pieces the billing, events and operators pages share: query filters,
 * money and times as people read them, JSON blocks, filter forms. Kept apart from
 * ui.ts, which other sections own.
 */

/** The page's query parameters without the empty ones, ready for an API list schema (`?status=` means all). */
export function queryFields(c: Context<AppEnv>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.req.query())) if (value.trim() !== '') fields[name] = value.trim();
  return fields;
}

/** Money ("12.34 EUR") and times ("2026-01-31 14:05 UTC") as the customer pages write them: one formatter each. */
export { amount as money, when } from './customers-format.ts';

/** Titles that carry an id break anywhere rather than widen the page at 375 px. */
export const wrapTitle = html`<style>h1 { overflow-wrap:anywhere; }</style>`;

/** A value as formatted JSON. */
export const jsonBlock = (value: unknown, test?: string) => html`<pre class="json" data-test="${test ?? 'json'}">${JSON.stringify(value, null, 2)}</pre>`;

/** A link to a dashboard page. */
export const link = (href: string, text: string, test?: string) => html`<a href="${href}" data-test="${test ?? ''}">${text}</a>`;

export type FilterField =
  | { name: string; label: string; kind: 'select'; options: readonly string[] }
  | { name: string; label: string; kind: 'text'; placeholder?: string };

/** A GET form of filters over a list, keeping what is asked for now. */
export function filterForm(c: Context<AppEnv>, action: string, fields: FilterField[]): Html {
  const current = queryFields(c);
  return html`<form class="filters" method="get" action="${action}" data-test="filters">
    ${fields.map((f) =>
      f.kind === 'select'
        ? html`<div><label for="f-${f.name}">${f.label}</label><select id="f-${f.name}" name="${f.name}"><option value="">all</option>${f.options.map(
            (o) => html`<option value="${o}" ${current[f.name] === o ? 'selected' : ''}>${o}</option>`,
          )}</select></div>`
        : html`<div><label for="f-${f.name}">${f.label}</label><input id="f-${f.name}" name="${f.name}" value="${current[f.name] ?? ''}" placeholder="${f.placeholder ?? ''}"></div>`,
    )}
    <div><button type="submit" class="secondary" data-test="apply-filters">Filter</button></div>
  </form>`;
}

/** Numbers typed into a form, as numbers for the API's schema; anything else is left for the schema to name. */
export function numbersIn(fields: Record<string, string>, names: readonly string[]): Record<string, unknown> {
  const shaped: Record<string, unknown> = { ...fields };
  for (const name of names) if (name in fields && /^-?\d+$/.test(fields[name]!)) shaped[name] = Number(fields[name]);
  return shaped;
}

/**
 * Runs the part of a form post that happens before its command (parsing, hashing a
 * password): a refusal goes back to `back` with its message, like formCommand's.
 */
export async function beforeCommand<T>(c: Context<AppEnv>, back: string, step: () => Promise<T> | T): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  try {
    return { ok: true, value: await step() };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code === 'unauthorized' || error.code === 'forbidden') throw error;
    const issues = error.details.issues?.map((i) => `${i.field}: ${i.message}`).join('; ');
    return { ok: false, response: redirectWith(c, back, { error: issues || error.message }) };
  }
}

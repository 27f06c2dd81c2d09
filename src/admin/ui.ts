import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { AppEnv } from '../http/env.ts';
import type { Access } from '../http/access.ts';
import { ACCESS_LEVELS } from '../http/access.ts';

/** A piece of escaped HTML (what `html\`…\`` returns); interpolated values are escaped unless they are one too. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The dashboard's sections, in the navigation's order, and who sees each. */
const SECTIONS: { path: string; label: string; access: Access }[] = [
  { path: '/admin', label: 'Home', access: 'viewer' },
  { path: '/admin/customers', label: 'Customers', access: 'viewer' },
  { path: '/admin/plans', label: 'Plans', access: 'viewer' },
  { path: '/admin/meters', label: 'Meters', access: 'viewer' },
  { path: '/admin/subscriptions', label: 'Subscriptions', access: 'viewer' },
  { path: '/admin/invoices', label: 'Invoices', access: 'viewer' },
  { path: '/admin/events', label: 'Events', access: 'viewer' },
  { path: '/admin/dead-letters', label: 'Dead letters', access: 'viewer' },
  { path: '/admin/consumers', label: 'Consumers', access: 'viewer' },
  { path: '/admin/operators', label: 'Operators', access: 'admin' },
  { path: '/admin/audit', label: 'Audit log', access: 'admin' },
];

/** The signed-in operator's role, or null on the login page. */
const roleOf = (c: Context<AppEnv>) => (c.get('token') ? c.get('ctx').actor.role : null);

/** Whether the signed-in operator may use an action of this level: pages show a write button only then. */
export function can(c: Context<AppEnv>, level: Access): boolean {
  const role = roleOf(c);
  return role !== null && ACCESS_LEVELS.indexOf(role as Access) >= ACCESS_LEVELS.indexOf(level);
}

export interface PageOptions {
  title: string;
  /** The navigation entry to highlight (its path). */
  section?: string;
  body: Html;
  status?: ContentfulStatusCode;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** A whole dashboard page: header with the operator and logout, navigation, flash messages, the body. */
export function page(c: Context<AppEnv>, options: PageOptions): Response | Promise<Response> {
  const role = roleOf(c);
  const notice = c.req.query('notice');
  const error = c.req.query('error');
  const nav = role
    ? html`<nav class="side" aria-label="Sections">${SECTIONS.filter((s) => can(c, s.access)).map(
        (s) => html`<a href="${s.path}" class="${s.path === options.section ? 'active' : ''}">${s.label}</a>`,
      )}</nav>`
    : '';
  const who = role
    ? html`<span>${c.get('token') ? c.get('ctx').actor.id : ''} · <span class="badge">${role}</span></span>
        <form method="post" action="/admin/logout">${csrfField(c)}<button type="submit" data-test="logout">Log out</button></form>`
    : '';
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  return c.html(
    html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}'>
<title>${options.title} · Subscription Platform</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/static/admin.css">
<link rel="stylesheet" href="/assets/uPlot.min.css">
<script src="/assets/htmx.min.js" defer></script>
<script src="/assets/uPlot.iife.min.js" defer></script>
<script src="/admin/static/admin.js" defer></script>
</head>
<body hx-headers='${raw(JSON.stringify({ 'X-CSRF-Token': c.get('csrf') ?? '' }))}'>
<header class="top"><a class="brand" href="/admin">Subscription Platform</a>${who}</header>
${nav}
<main>
${notice ? html`<div class="flash notice" role="status">${notice}</div>` : ''}
${error ? html`<div class="flash error" role="alert">${error}</div>` : ''}
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>`,
    options.status ?? 200,
  );
}

/** The hidden CSRF field every dashboard form carries. */
export const csrfField = (c: Context<AppEnv>) => html`<input type="hidden" name="_csrf" value="${c.get('csrf') ?? ''}">`;

/**
 * A button that posts to `action` (a command), shown only to roles that may use it.
 * `confirm` asks first. Works without script; htmx is not needed for it.
 */
export function actionButton(c: Context<AppEnv>, level: Access, action: string, label: string, options: { fields?: Record<string, string>; danger?: boolean; test?: string } = {}): Html | '' {
  if (!can(c, level)) return '';
  const fields = Object.entries(options.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form class="inline" method="post" action="${action}">${csrfField(c)}${fields}<button type="submit" class="${options.danger ? 'danger' : ''}" data-test="${options.test ?? label.toLowerCase().replace(/\s+/g, '-')}">${label}</button></form>`;
}

/** A status as a coloured badge. */
export function badge(status: string): Html {
  const tone = /^(active|paid|succeeded|sent|ok|ready|trialing)$/.test(status)
    ? 'ok'
    : /^(past_due|pending|open|draft|suspended|processing|requires_action|onboarded)$/.test(status)
      ? 'warn'
      : /^(failed|void|canceled|erased|uncollectible|dead|deactivated|disabled)$/.test(status)
        ? 'bad'
        : '';
  return html`<span class="badge ${tone}">${status}</span>`;
}

/** A table with a header row; `empty` is shown instead when there are no rows. */
export function table(headers: string[], rows: Html[][], empty = 'Nothing here yet.'): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (cells) => html`<tr>${cells.map((cell) => html`<td>${cell}</td>`)}</tr>`,
  )}</tbody></table>`;
}

/** Facts as a definition list. */
export function facts(pairs: [string, Html | string | number | null | undefined][]): Html {
  return html`<dl class="facts">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v ?? '—'}</dd>`)}</dl>`;
}

/** "Next page" from a cursor page (`{ next_cursor }`), keeping the current filters. */
export function pager(c: Context<AppEnv>, nextCursor: string | null | undefined): Html | '' {
  if (!nextCursor) return '';
  const url = new URL(c.req.url);
  url.searchParams.set('cursor', nextCursor);
  return html`<div class="pager"><a href="${url.pathname}${url.search}" data-test="next-page">Next page →</a></div>`;
}

/** Redirects back after a command (Post/Redirect/Get), with a notice or an error to show there. */
export function redirectWith(c: Context<AppEnv>, to: string, message: { notice?: string; error?: string }): Response {
  const url = new URL(to, 'http://x');
  if (message.notice) url.searchParams.set('notice', message.notice);
  if (message.error) url.searchParams.set('error', message.error);
  return c.redirect(`${url.pathname}${url.search}`, 303);
}

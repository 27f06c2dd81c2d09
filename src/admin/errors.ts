import type { Context } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../http/env.ts';
import { problemCatalog } from '../http/problem.ts';
import { DomainError, describeError } from '../kernel/errors.ts';
import { endSession } from './session.ts';
import { page } from './ui.ts';

/** Runs a read that may legitimately find nothing (a profile before the worker ran, no deal yet, a period not begun): null then. */
export async function orNothing<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'not_found' || error.code === 'validation')) return null;
    throw error;
  }
}

/** An error page's title, by its status. */
const pageTitle = (status: number) => (status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'That did not work');

/**
 * The dashboard's error handler: a page, not a problem document. A missing or ended
 * session goes back to the sign-in page (remembering where it was going); a role
 * that does not reach the action gets a 403 page.
 */
export function adminError(error: Error, c: Context<AppEnv>): Response | Promise<Response> {
  if (error instanceof DomainError && error.code === 'unauthorized') {
    endSession(c);
    // After signing in, a page opens again; a refused form post goes to the dashboard's home.
    const next = c.req.method === 'GET' ? c.req.path : '/admin';
    return c.redirect(`/admin/login?next=${encodeURIComponent(next)}`, 303);
  }
  if (error instanceof DomainError) {
    // The API's status for the code (src/http/problem.ts); the page's title speaks to a person.
    const status = problemCatalog[error.code].status;
    const issues = error.details.issues ?? [];
    return page(c, {
      title: pageTitle(status),
      status,
      body: html`<div class="card"><p data-test="error-detail">${error.message}</p>${issues.length ? html`<ul>${issues.map((i) => html`<li>${i.field}: ${i.message}</li>`)}</ul>` : ''}<p><a href="/admin">Back to the dashboard</a></p></div>`,
    });
  }
  if (error instanceof HTTPException && error.status === 403) {
    // hono/csrf: a form posted from another origin.
    return page(c, { title: pageTitle(403), status: 403, body: html`<div class="card"><p data-test="error-detail">This request did not come from this dashboard.</p></div>` });
  }
  c.get('deps')?.logger.error('unhandled dashboard error', { error: describeError(error), stack: error.stack, requestId: c.get('requestId'), path: c.req.path });
  return page(c, { title: 'Something went wrong', status: 500, body: html`<div class="card"><p>Something went wrong on our side. Request id ${c.get('requestId')}.</p></div>` });
}

/** The dashboard's 404 page. */
export const adminNotFound = (c: Context<AppEnv>) =>
  page(c, { title: pageTitle(404), status: 404, body: html`<div class="card"><p>No page at ${c.req.path}.</p><p><a href="/admin">Back to the dashboard</a></p></div>` });

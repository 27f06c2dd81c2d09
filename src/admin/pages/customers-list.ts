import type { Context } from 'hono';
import { html } from 'hono/html';
import { customerKinds, customerSegments, customerStatuses } from '../../../db/schema/index.ts';
import { listCustomersQuery } from '../../customers/contract.ts';
import { listCustomers } from '../../customers/queries.ts';
import type { AppEnv } from '../../http/env.ts';
import { DomainError } from '../../kernel/errors.ts';
import { parseForm } from '../form.ts';
import { badge, can, page, pager, table } from '../ui.ts';
import { code, text, when } from './customers-format.ts';

const FILTERS = ['q', 'status', 'segment', 'kind', 'cursor'] as const;

/** A select of `options` named `name`, with "any" first and the current value chosen. */
const select = (name: string, label: string, options: readonly string[], current: string | undefined) => html`<div>
    <label for="f-${name}">${label}</label>
    <select id="f-${name}" name="${name}" data-test="filter-${name}"><option value="">any</option>${options.map(
      (o) => html`<option value="${o}" ${o === current ? 'selected' : ''}>${o}</option>`,
    )}</select></div>`;

/**
 * The customers list: text search (the API's `q`), filters by status, segment and kind,
 * newest first with the API's cursor paging; each row opens the customer's page.
 */
export async function customersListPage(c: Context<AppEnv>) {
  const asked: Record<string, string> = { limit: '20' };
  for (const name of FILTERS) {
    const value = c.req.query(name)?.trim();
    if (value) asked[name] = value;
  }
  let list: Awaited<ReturnType<typeof listCustomers>> | null = null;
  let problem = '';
  try {
    list = await listCustomers(c.get('deps').db, parseForm(listCustomersQuery, asked));
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'validation') throw error;
    problem = error.message;
  }
  const filters = html`<form class="filters card" method="get" action="/admin/customers" role="search">
    <div><label for="f-q">Name or email</label><input id="f-q" name="q" type="search" value="${asked.q ?? ''}" placeholder="acme" data-test="filter-q"></div>
    ${select('status', 'Status', customerStatuses, asked.status)}
    ${select('segment', 'Segment', customerSegments, asked.segment)}
    ${select('kind', 'Kind', customerKinds, asked.kind)}
    <div><button type="submit" data-test="apply-filters">Search</button> <a href="/admin/customers">Clear</a></div>
  </form>`;
  const rows = (list?.data ?? []).map((customer) => [
    html`<a href="/admin/customers/${customer.id}" data-test="customer-link">${customer.name ?? '(erased)'}</a>`,
    text(customer.email),
    text(customer.kind),
    text(customer.segment),
    badge(customer.status),
    when(customer.created_at),
    code(customer.id),
  ]);
  return page(c, {
    title: 'Customers',
    section: '/admin/customers',
    body: html`<style>
        .customers-head { display:flex; flex-wrap:wrap; gap:.5rem; justify-content:space-between; align-items:center; margin-bottom:.5rem; }
        td code { white-space:nowrap; font-size:.8rem; }
      </style>
      <div class="customers-head"><span class="muted">Newest first.</span>${can(c, 'operator') ? html`<a class="button" href="/admin/customers/new" data-test="onboard-link">Onboard a customer</a>` : ''}</div>
      ${filters}
      ${problem ? html`<div class="flash error" role="alert" data-test="filter-error">${problem}</div>` : ''}
      <div class="card" data-test="customers-table">${table(['Name', 'Email', 'Kind', 'Segment', 'Status', 'Onboarded', 'Id'], rows, 'No customers match.')}
      ${pager(c, list?.next_cursor)}</div>`,
  });
}
